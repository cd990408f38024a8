//! Evaluating predictions on a labeled dataset: overall and broken down by label source.

use super::Confusion;
use crate::dataset::DatasetRecord;
use crate::labels::{Label, LabelSet, Scores};
use serde::Serialize;
use std::collections::BTreeMap;

/// Whether a label source counts as gold. Rule-made labels (`rules@…`) train models but are
/// never scored against: hand checks are.
pub fn is_gold_source(source: &str) -> bool {
    !source.starts_with("rules@")
}

/// Scores of one label.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LabelScores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
    pub units: usize,
}

/// An evaluation: per-label scores, micro and macro F1.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Evaluation {
    pub labels: BTreeMap<Label, LabelScores>,
    pub micro_f1: f64,
    pub macro_f1: f64,
    pub units: usize,
}

impl Evaluation {
    fn from_confusion(confusion: &Confusion, units: usize) -> Self {
        let labels = Label::ALL
            .iter()
            .map(|&l| {
                let c = confusion.get(l);
                let scores = LabelScores {
                    precision: c.precision(),
                    recall: c.recall(),
                    f1: c.f1(),
                    support: c.support(),
                    units: confusion.units[l.index()],
                };
                (l, scores)
            })
            .collect();
        Self {
            labels,
            micro_f1: confusion.micro_f1(),
            macro_f1: confusion.macro_f1(),
            units,
        }
    }

    /// A plain-text table: one row per label, then micro and macro F1.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<12} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
            "label", "precision", "recall", "f1", "support", "units"
        );
        for (label, s) in &self.labels {
            out += &format!(
                "{:<12} {:>9.4} {:>9.4} {:>9.4} {:>9} {:>9}\n",
                label.name(),
                s.precision,
                s.recall,
                s.f1,
                s.support,
                s.units
            );
        }
        out += &format!("{:<12} {:>29.4}\n", "micro-F1", self.micro_f1);
        out += &format!("{:<12} {:>29.4}\n", "macro-F1", self.macro_f1);
        out
    }
}

/// Scores `predictions` (one per record) against the records' gold labels; a label is
/// scored on a record only where its source is gold ([`is_gold_source`]).
pub fn evaluate(records: &[&DatasetRecord], predictions: &[LabelSet]) -> Evaluation {
    let mut confusion = Confusion::default();
    for (record, &predicted) in records.iter().zip(predictions) {
        confusion.add(record.labels, predicted, |l| {
            record
                .label_source
                .get(&l)
                .is_some_and(|s| is_gold_source(s))
        });
    }
    Evaluation::from_confusion(&confusion, records.len())
}

/// Name of the by-source group that scores CAPP-130's own labels, mapped (kept as
/// `weak_labels` on hand-labeled CAPP-130 records).
pub const CAPP_MAPPING_GROUP: &str = "capp130/capp130 mapping (weak labels)";

/// Labels the CAPP-130 mapping gives (the others in `weak_labels` come from rules).
const CAPP_MAPPED: [Label; 3] = [Label::Collection, Label::Sharing, Label::Rights];

/// Scores broken down by `corpus/source` (e.g. `capp130/hand-pass2@guideline-v1`), per label, plus
/// [`CAPP_MAPPING_GROUP`]: the same predictions against CAPP-130's mapped labels where hand
/// labels replaced them.
pub fn evaluate_by_source(
    records: &[&DatasetRecord],
    predictions: &[LabelSet],
) -> BTreeMap<String, Evaluation> {
    let mut groups: BTreeMap<String, (Confusion, usize)> = BTreeMap::new();
    for (record, &predicted) in records.iter().zip(predictions) {
        for (&label, source) in &record.label_source {
            if !is_gold_source(source) {
                continue;
            }
            let key = format!("{}/{}", record.corpus(), source);
            let entry = groups.entry(key).or_default();
            entry.0.add(record.labels, predicted, |l| l == label);
        }
        if let (Some(weak), "capp130") = (record.weak_labels, record.corpus()) {
            let entry = groups.entry(CAPP_MAPPING_GROUP.to_string()).or_default();
            entry.0.add(weak, predicted, |l| CAPP_MAPPED.contains(&l));
            entry.1 += 1;
        }
    }
    for (key, entry) in groups.iter_mut() {
        if key == CAPP_MAPPING_GROUP {
            continue;
        }
        entry.1 = records
            .iter()
            .filter(|r| {
                r.label_source
                    .values()
                    .any(|s| format!("{}/{}", r.corpus(), s) == *key)
            })
            .count();
    }
    groups
        .into_iter()
        .map(|(key, (confusion, units))| (key, Evaluation::from_confusion(&confusion, units)))
        .collect()
}

/// Per label, the expected calibration error of the records' scores against their gold labels
/// (where the label's source is gold).
pub fn calibration_errors(records: &[&DatasetRecord], scores: &[Scores]) -> BTreeMap<Label, f64> {
    Label::ALL
        .iter()
        .map(|&label| {
            let pairs: Vec<(f32, bool)> = records
                .iter()
                .zip(scores)
                .filter(|(r, _)| {
                    r.label_source
                        .get(&label)
                        .is_some_and(|s| is_gold_source(s))
                })
                .map(|(r, s)| (s.get(label), r.labels.contains(label)))
                .collect();
            (label, super::expected_calibration_error(&pairs))
        })
        .collect()
}
