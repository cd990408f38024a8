//! Tuning a [`super::Decider`]'s thresholds on the dev split (gold labels only): plain
//! thresholds for the model alone, or rule thresholds that consult the keyword rules.

use super::admits;
use crate::dataset::DatasetRecord;
use crate::eval::{is_gold_source, Counts};
use crate::labels::Label;
use crate::model::{ClassifierSettings, RuleThreshold};
use crate::rules::{rule_labels, RULES_VERSION};

/// `step` × 0.05, rounded to two decimals (so 18 gives 0.9, not 0.90000004).
fn grid_step(step: u32) -> f32 {
    (step * 5) as f32 / 100.0
}

/// For each label, the threshold in 0.05..=0.95 (step 0.05) that maximises F1 on the pairs'
/// scores and gold labels (the rules' verdicts unused); ties go to the threshold nearest 0.5.
/// Labels with no pairs keep 0.5.
pub fn tune_thresholds(pairs: &[Vec<RuledPair>; 5]) -> [f32; 5] {
    let mut best = [0.5f32; 5];
    for label in Label::ALL {
        let data = &pairs[label.index()];
        if data.is_empty() {
            continue;
        }
        let mut best_f1 = -1.0;
        for step in 1..=19 {
            let threshold = grid_step(step);
            let mut counts = Counts::default();
            for p in data {
                counts.add(p.gold, p.score >= threshold);
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

/// Plain thresholds tried by [`tune_rule_thresholds`]: the 0.05 grid, then steps towards 1 for
/// a model trusted alone only when nearly certain.
const RULED_GRID: [f32; 24] = [
    0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80,
    0.85, 0.90, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999,
];

/// One dev unit's evidence for one label: model score, gold label, whether the rules give it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuledPair {
    pub score: f32,
    pub gold: bool,
    pub ruled: bool,
}

/// For each label, the [`RuleThreshold`] that maximises F1 on `pairs`: `alone` from
/// [`RULED_GRID`], `with_rule` from the 0.05 grid up to `alone` (equal: the model alone). Ties go
/// to `alone` nearest 0.5, then to the higher `with_rule` (the rules relied on least). Labels with
/// no pairs keep 0.5 for both.
pub fn tune_rule_thresholds(pairs: &[Vec<RuledPair>; 5]) -> [RuleThreshold; 5] {
    let half = RuleThreshold {
        alone: 0.5,
        with_rule: 0.5,
    };
    let mut best = [half; 5];
    for label in Label::ALL {
        let data = &pairs[label.index()];
        if data.is_empty() {
            continue;
        }
        let mut best_f1 = -1.0;
        for &threshold in &RULED_GRID {
            // The model alone first, then each lower with-rule threshold, highest first.
            let lower = (1..=19).rev().map(grid_step).filter(|&w| w < threshold);
            for rule_threshold in std::iter::once(threshold).chain(lower) {
                let candidate = RuleThreshold {
                    alone: threshold,
                    with_rule: rule_threshold,
                };
                let mut counts = Counts::default();
                for p in data {
                    counts.add(p.gold, admits(candidate, p.score, p.ruled));
                }
                let f1 = counts.f1();
                let closer = (threshold - 0.5).abs() < (best[label.index()].alone - 0.5).abs();
                let tie = (f1 - best_f1).abs() <= 1e-12;
                if f1 > best_f1 + 1e-12 || (tie && closer) {
                    best_f1 = f1;
                    best[label.index()] = candidate;
                }
            }
        }
    }
    best
}

/// Per label, the evidence of each record whose label is gold: its score, the gold label, and
/// whether the keyword rules give it.
pub fn gold_pairs(records: &[&DatasetRecord], scores: &[[f32; 5]]) -> [Vec<RuledPair>; 5] {
    let mut pairs: [Vec<RuledPair>; 5] = Default::default();
    for (record, s) in records.iter().zip(scores) {
        let ruled = rule_labels(&record.text, &record.context);
        for (label, source) in &record.label_source {
            if is_gold_source(source) {
                pairs[label.index()].push(RuledPair {
                    score: s[label.index()],
                    gold: record.labels.contains(*label),
                    ruled: ruled.contains(*label),
                });
            }
        }
    }
    pairs
}

/// Which of a model's thresholds `privclause tune` re-tunes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TuneMode {
    /// The plain per-label thresholds (the model alone); rule thresholds are kept.
    Plain,
    /// The rule thresholds, tuned jointly per label; plain thresholds are kept. A label the
    /// rules do not help gets none.
    RuleThresholds,
}

/// `settings` with the thresholds of `mode` re-tuned on `dev` records and their `scores`.
pub fn retune(
    settings: &ClassifierSettings,
    dev: &[&DatasetRecord],
    scores: &[[f32; 5]],
    mode: TuneMode,
) -> ClassifierSettings {
    let mut settings = settings.clone();
    let pairs = gold_pairs(dev, scores);
    match mode {
        TuneMode::Plain => {
            let thresholds = tune_thresholds(&pairs);
            for label in Label::ALL {
                settings.thresholds.insert(label, thresholds[label.index()]);
            }
        }
        TuneMode::RuleThresholds => {
            settings.rule_thresholds.clear();
            settings.rules_version = None;
            let tuned = tune_rule_thresholds(&pairs);
            for label in Label::ALL {
                let rule = tuned[label.index()];
                if rule.with_rule < rule.alone {
                    settings.rule_thresholds.insert(label, rule);
                }
            }
            if !settings.rule_thresholds.is_empty() {
                settings.rules_version = Some(RULES_VERSION.to_string());
            }
        }
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_thresholds_admit_ruled_units_the_model_doubts() {
        let p = |score, gold, ruled| RuledPair { score, gold, ruled };
        let mut pairs: [Vec<RuledPair>; 5] = Default::default();
        // Positives the rules catch score low; a negative the rules miss scores high.
        pairs[2] = vec![
            p(0.30, true, true),
            p(0.35, true, true),
            p(0.90, true, false),
            p(0.60, false, false),
            p(0.10, false, true),
            p(0.05, false, false),
        ];
        // Rules that add nothing leave the model alone.
        pairs[0] = vec![
            p(0.9, true, false),
            p(0.2, false, true),
            p(0.1, false, false),
        ];
        let t = tune_rule_thresholds(&pairs);
        assert!(t[2].alone > 0.6 && t[2].alone <= 0.9, "{t:?}");
        assert!(t[2].with_rule > 0.1 && t[2].with_rule <= 0.3, "{t:?}");
        assert!(t[0].with_rule > 0.2, "{t:?}");
        assert_eq!(
            (t[1].alone, t[1].with_rule),
            (0.5, 0.5),
            "no data keeps 0.5"
        );
    }

    #[test]
    fn picks_the_threshold_that_separates_the_classes() {
        let p = |score, gold| RuledPair {
            score,
            gold,
            ruled: false,
        };
        let mut pairs: [Vec<RuledPair>; 5] = Default::default();
        pairs[0] = vec![p(0.9, true), p(0.3, true), p(0.2, false), p(0.1, false)];
        let t = tune_thresholds(&pairs);
        assert!(t[0] > 0.2 && t[0] <= 0.3, "{t:?}");
        assert_eq!(t[1], 0.5, "no data keeps 0.5");
    }
}
