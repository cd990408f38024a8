//! Per-label decision thresholds tuned on the dev split.

use crate::eval::Counts;
use crate::labels::Label;

/// For each label, the threshold in 0.05..=0.95 (step 0.05) that maximises F1 on `(score,
/// gold)` pairs; ties go to the threshold nearest 0.5. Labels with no pairs keep 0.5.
pub fn tune_thresholds(pairs: &[Vec<(f32, bool)>; 5]) -> [f32; 5] {
    let mut best = [0.5f32; 5];
    for label in Label::ALL {
        let data = &pairs[label.index()];
        if data.is_empty() {
            continue;
        }
        let mut best_f1 = -1.0;
        for step in 1..=19 {
            let threshold = step as f32 * 0.05;
            let mut counts = Counts::default();
            for &(score, gold) in data {
                counts.add(gold, score >= threshold);
            }
            let f1 = counts.f1();
            let closer = (threshold - 0.5).abs() < (best[label.index()] - 0.5).abs();
            if f1 > best_f1 + 1e-12 || ((f1 - best_f1).abs() <= 1e-12 && closer) {
                best_f1 = f1;
                best[label.index()] = threshold;
            }
        }
    }
    best
}

/// `(score, gold)` pairs per label of `records`, counting a label only where its source is gold.
pub fn gold_pairs(
    records: &[&crate::dataset::DatasetRecord],
    scores: &[[f32; 5]],
) -> [Vec<(f32, bool)>; 5] {
    let mut pairs: [Vec<(f32, bool)>; 5] = Default::default();
    for (record, s) in records.iter().zip(scores) {
        for (label, source) in &record.label_source {
            if crate::eval::is_gold_source(source) {
                pairs[label.index()].push((s[label.index()], record.labels.contains(*label)));
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_threshold_that_separates_the_classes() {
        let mut pairs: [Vec<(f32, bool)>; 5] = Default::default();
        pairs[0] = vec![(0.9, true), (0.3, true), (0.2, false), (0.1, false)];
        let t = tune_thresholds(&pairs);
        assert!(t[0] > 0.2 && t[0] <= 0.3, "{t:?}");
        assert_eq!(t[1], 0.5, "no data keeps 0.5");
    }
}
