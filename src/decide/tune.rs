//! Tuning a [`super::Decider`]'s thresholds on the dev split (gold labels only): plain
//! thresholds for the model alone, or rule thresholds that consult the keyword rules.

use super::admits;
use crate::dataset::DatasetRecord;
use crate::eval::{is_gold_source, Counts};
use crate::labels::Label;
use crate::model::{logit, Calibration, ClassifierSettings, RuleThreshold};
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

/// Per label, Platt scaling fitted on the pairs' raw scores and gold labels: maximum
/// likelihood with Platt's smoothed targets, by Newton's method. A label whose pairs are all
/// of one class (or none) keeps the identity.
pub fn fit_calibration(pairs: &[Vec<RuledPair>; 5]) -> [Calibration; 5] {
    Label::ALL.map(|label| fit_platt(&pairs[label.index()]))
}

fn fit_platt(data: &[RuledPair]) -> Calibration {
    let positives = data.iter().filter(|p| p.gold).count() as f64;
    let negatives = data.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return Calibration::IDENTITY;
    }
    let (high, low) = (
        (positives + 1.0) / (positives + 2.0),
        1.0 / (negatives + 2.0),
    );
    let points: Vec<(f64, f64)> = data
        .iter()
        .map(|p| (f64::from(logit(p.score)), if p.gold { high } else { low }))
        .collect();
    let (mut slope, mut offset) = (1.0f64, 0.0f64);
    for _ in 0..100 {
        // Gradient and Hessian of the negative log-likelihood in (slope, offset).
        let (mut g_s, mut g_o, mut h_ss, mut h_so, mut h_oo) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
        for &(z, target) in &points {
            let p = 1.0 / (1.0 + (-(slope * z + offset)).exp());
            let (d, w) = (p - target, p * (1.0 - p));
            g_s += d * z;
            g_o += d;
            h_ss += w * z * z;
            h_so += w * z;
            h_oo += w;
        }
        let det = h_ss * h_oo - h_so * h_so;
        let mut step_s = (h_oo * g_s - h_so * g_o) / det;
        let mut step_o = (h_ss * g_o - h_so * g_s) / det;
        // Halve the Newton step until the loss does not grow.
        let before = platt_loss(&points, slope, offset);
        while step_s.abs() + step_o.abs() > 1e-12
            && platt_loss(&points, slope - step_s, offset - step_o) > before
        {
            step_s /= 2.0;
            step_o /= 2.0;
        }
        slope -= step_s;
        offset -= step_o;
        if step_s.abs() + step_o.abs() < 1e-9 {
            break;
        }
    }
    if !(slope.is_finite() && offset.is_finite() && slope > 0.0) {
        return Calibration::IDENTITY;
    }
    Calibration {
        slope: slope as f32,
        offset: offset as f32,
    }
}

/// Negative log-likelihood of Platt's targets under `sigmoid(slope * z + offset)`.
fn platt_loss(points: &[(f64, f64)], slope: f64, offset: f64) -> f64 {
    points
        .iter()
        .map(|&(z, target)| {
            let x = slope * z + offset;
            // log(1 + e^x) - target * x, computed stably.
            x.max(0.0) + (-x.abs()).exp().ln_1p() - target * x
        })
        .sum()
}

/// Which of a model's decision settings `privclause tune` re-tunes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TuneMode {
    /// The plain per-label thresholds (the model alone); rule thresholds are kept.
    Plain,
    /// The rule thresholds, tuned jointly per label; plain thresholds are kept. A label the
    /// rules do not help gets none.
    RuleThresholds,
    /// The calibration, then on its scale the plain thresholds and (if the model has any)
    /// the rule thresholds.
    Calibrate,
}

/// `settings` with the decisions of `mode` re-tuned on `dev` records and their raw `scores`
/// (thresholds are tuned on the calibrated scale).
pub fn retune(
    settings: &ClassifierSettings,
    dev: &[&DatasetRecord],
    scores: &[[f32; 5]],
    mode: TuneMode,
) -> ClassifierSettings {
    let mut settings = settings.clone();
    if mode == TuneMode::Calibrate {
        let fitted = fit_calibration(&gold_pairs(dev, scores));
        settings.calibration = Label::ALL
            .into_iter()
            .filter(|l| fitted[l.index()] != Calibration::IDENTITY)
            .map(|l| (l, fitted[l.index()]))
            .collect();
    }
    let calibrated: Vec<[f32; 5]> = scores
        .iter()
        .map(|raw| std::array::from_fn(|i| settings.calibration(Label::ALL[i]).apply(raw[i])))
        .collect();
    let pairs = gold_pairs(dev, &calibrated);
    if matches!(mode, TuneMode::Plain | TuneMode::Calibrate) {
        let thresholds = tune_thresholds(&pairs);
        for label in Label::ALL {
            settings.thresholds.insert(label, thresholds[label.index()]);
        }
    }
    let had_rules = !settings.rule_thresholds.is_empty();
    if mode == TuneMode::RuleThresholds || (mode == TuneMode::Calibrate && had_rules) {
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
    fn platt_scaling_makes_overconfident_scores_honest() {
        // Scores of 0.99 are right half the time, scores of 0.01 never.
        let p = |score, gold| RuledPair {
            score,
            gold,
            ruled: false,
        };
        let mut pairs: [Vec<RuledPair>; 5] = Default::default();
        for i in 0..200 {
            pairs[0].push(p(0.99, i % 2 == 0));
            pairs[0].push(p(0.01, false));
        }
        pairs[1] = vec![p(0.9, true)];
        let fitted = fit_calibration(&pairs);
        let high = fitted[0].apply(0.99);
        assert!((high - 0.5).abs() < 0.02, "{high}");
        assert!(fitted[0].apply(0.01) < 0.02);
        assert_eq!(
            fitted[1],
            Calibration::IDENTITY,
            "one class keeps the identity"
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
