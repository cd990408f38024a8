//! Multi-label classification metrics: per-label precision/recall/F1, micro and macro F1.

use crate::labels::{Label, LabelSet};
use serde::Serialize;

/// Counts for one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Counts {
    pub fn add(&mut self, gold: bool, predicted: bool) {
        match (gold, predicted) {
            (true, true) => self.true_positives += 1,
            (false, true) => self.false_positives += 1,
            (true, false) => self.false_negatives += 1,
            (false, false) => {}
        }
    }

    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        ratio(
            2 * self.true_positives,
            2 * self.true_positives + self.false_positives + self.false_negatives,
        )
    }

    /// Number of gold positives.
    pub fn support(&self) -> usize {
        self.true_positives + self.false_negatives
    }
}

/// `num / den`, or 0 when `den` is 0.
fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Per-label counts over a set of units; a label is scored only on units where it is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confusion {
    pub per_label: [Counts; 5],
    /// Units counted, per label.
    pub units: [usize; 5],
}

impl Confusion {
    /// Adds one unit: for every label in `known`, compares gold and predicted.
    pub fn add(&mut self, gold: LabelSet, predicted: LabelSet, known: impl Fn(Label) -> bool) {
        for label in Label::ALL {
            if known(label) {
                let i = label.index();
                self.per_label[i].add(gold.contains(label), predicted.contains(label));
                self.units[i] += 1;
            }
        }
    }

    /// Micro-averaged F1 over all labels.
    pub fn micro_f1(&self) -> f64 {
        let mut total = Counts::default();
        for c in &self.per_label {
            total.true_positives += c.true_positives;
            total.false_positives += c.false_positives;
            total.false_negatives += c.false_negatives;
        }
        total.f1()
    }

    /// Unweighted mean of the per-label F1 scores, over the labels scored on any unit (all
    /// five on a fully labeled set; a breakdown that scores only some labels averages those).
    pub fn macro_f1(&self) -> f64 {
        let scored: Vec<f64> = self
            .per_label
            .iter()
            .zip(self.units)
            .filter(|(_, units)| *units > 0)
            .map(|(c, _)| c.f1())
            .collect();
        if scored.is_empty() {
            return 0.0;
        }
        scored.iter().sum::<f64>() / scored.len() as f64
    }

    pub fn get(&self, label: Label) -> Counts {
        self.per_label[label.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(labels: &[Label]) -> LabelSet {
        labels.iter().copied().collect()
    }

    #[test]
    fn counts_give_textbook_scores() {
        let mut confusion = Confusion::default();
        let all = |_| true;
        // collection: 2 TP, 1 FP, 1 FN; sharing: 1 TP.
        confusion.add(set(&[Label::Collection]), set(&[Label::Collection]), all);
        confusion.add(
            set(&[Label::Collection, Label::Sharing]),
            set(&[Label::Collection, Label::Sharing]),
            all,
        );
        confusion.add(set(&[]), set(&[Label::Collection]), all);
        confusion.add(set(&[Label::Collection]), set(&[]), all);
        let c = confusion.get(Label::Collection);
        assert_eq!(
            (c.true_positives, c.false_positives, c.false_negatives),
            (2, 1, 1)
        );
        assert!((c.precision() - 2.0 / 3.0).abs() < 1e-12);
        assert!((c.f1() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(confusion.get(Label::Sharing).f1(), 1.0);
        assert_eq!(
            confusion.get(Label::Rights).f1(),
            0.0,
            "no support, no predictions"
        );
        // micro: TP 3, FP 1, FN 1 -> 6/8.
        assert!((confusion.micro_f1() - 0.75).abs() < 1e-12);
        assert!((confusion.macro_f1() - (2.0 / 3.0 + 1.0) / 5.0).abs() < 1e-12);
    }

    #[test]
    fn unknown_labels_are_not_counted() {
        let mut confusion = Confusion::default();
        confusion.add(set(&[]), set(&[Label::Sensitive]), |l| {
            l != Label::Sensitive
        });
        assert_eq!(confusion.get(Label::Sensitive).false_positives, 0);
        assert_eq!(confusion.units[Label::Sensitive.index()], 0);
        assert_eq!(confusion.units[Label::Collection.index()], 1);
    }

    #[test]
    fn macro_f1_averages_the_labels_scored() {
        let mut confusion = Confusion::default();
        // Only collection is known, and it is right: macro-F1 is 1, not 1/5.
        confusion.add(set(&[Label::Collection]), set(&[Label::Collection]), |l| {
            l == Label::Collection
        });
        assert!((confusion.macro_f1() - 1.0).abs() < 1e-12);
    }
}

/// Expected calibration error of `(score, gold)` pairs: over ten equal-width bins of score,
/// the pair-weighted mean gap between a bin's mean score and its share of gold positives.
/// 0 for no pairs.
pub fn expected_calibration_error(pairs: &[(f32, bool)]) -> f64 {
    const BINS: usize = 10;
    let mut sums = [(0usize, 0f64, 0usize); BINS];
    for &(score, gold) in pairs {
        let bin = ((score.clamp(0.0, 1.0) * BINS as f32) as usize).min(BINS - 1);
        sums[bin].0 += 1;
        sums[bin].1 += f64::from(score);
        sums[bin].2 += usize::from(gold);
    }
    if pairs.is_empty() {
        return 0.0;
    }
    sums.iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|&(n, total, positives)| {
            let gap = (total / n as f64 - positives as f64 / n as f64).abs();
            gap * n as f64 / pairs.len() as f64
        })
        .sum()
}

#[cfg(test)]
mod calibration_tests {
    use super::expected_calibration_error;

    #[test]
    fn calibration_error_is_the_weighted_gap_per_bin() {
        assert_eq!(expected_calibration_error(&[]), 0.0);
        // Bin 0.9: scores 0.95, half positive (gap 0.45); bin 0.0: scores 0.05, none (0.05).
        let pairs = [(0.95, true), (0.95, false), (0.05, false), (0.05, false)];
        let ece = expected_calibration_error(&pairs);
        assert!((ece - (0.5 * 0.45 + 0.5 * 0.05)).abs() < 1e-6, "{ece}");
        let perfect = [(1.0, true), (0.0, false)];
        assert_eq!(expected_calibration_error(&perfect), 0.0);
    }
}
