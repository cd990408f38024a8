//! The challenge set (`datasets/challenge/`): units of known error families, labeled by hand,
//! scored family by family.

use super::Counts;
use crate::dataset::{DatasetRecord, Split};
use crate::labels::{Label, LabelSet};
use crate::segment::context_of;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// F1 a family must reach, or accuracy for a family of mostly "other" units.
pub const FAMILY_F1_TARGET: f64 = 0.85;
/// Exact-match accuracy an "other" family must reach.
pub const OTHER_ACCURACY_TARGET: f64 = 0.95;

/// One challenge unit: its text as read with its section path and lead, its gold labels.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChallengeUnit {
    pub id: String,
    pub family: String,
    /// `capp130/<policy>`, `seeds/<id>` or `handwritten`.
    pub origin: String,
    pub text: String,
    #[serde(default)]
    pub section: Vec<String>,
    #[serde(default)]
    pub lead: Option<String>,
    pub labels: LabelSet,
    /// The annotation pass and guideline version of all five labels.
    pub label_source: String,
}

impl ChallengeUnit {
    /// The unit as a dataset record (every label known, from its label source), for the
    /// labeler and [`super::evaluate`].
    pub fn to_record(&self, index: usize) -> DatasetRecord {
        DatasetRecord {
            policy: self.origin.clone(),
            unit: index,
            text: self.text.clone(),
            context: context_of(&self.section, self.lead.as_deref()),
            labels: self.labels,
            label_source: Label::ALL
                .iter()
                .map(|&l| (l, self.label_source.clone()))
                .collect(),
            split: Split::Test,
            weak_labels: None,
        }
    }
}

/// Scores of one family.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FamilyScore {
    pub units: usize,
    /// Units with no gold label.
    pub other_units: usize,
    /// F1 over all of the family's label decisions (micro over the five labels).
    pub f1: f64,
    /// Share of units whose predicted labels equal the gold labels exactly.
    pub accuracy: f64,
}

impl FamilyScore {
    /// Whether most units are "other", so that accuracy, not F1, measures the family.
    pub fn is_other_family(&self) -> bool {
        self.other_units * 2 > self.units
    }

    /// The family's measure (accuracy for an "other" family, else F1) and its target.
    pub fn measure(&self) -> (f64, f64) {
        if self.is_other_family() {
            (self.accuracy, OTHER_ACCURACY_TARGET)
        } else {
            (self.f1, FAMILY_F1_TARGET)
        }
    }
}

/// Scores per family of `predictions` (one per unit) against the units' gold labels.
pub fn score_families(
    units: &[ChallengeUnit],
    predictions: &[LabelSet],
) -> BTreeMap<String, FamilyScore> {
    let mut tallies: BTreeMap<&str, (Counts, usize, usize, usize)> = BTreeMap::new();
    for (unit, predicted) in units.iter().zip(predictions) {
        let (counts, n, other, exact) = tallies.entry(&unit.family).or_default();
        for label in Label::ALL {
            counts.add(unit.labels.contains(label), predicted.contains(label));
        }
        *n += 1;
        *other += usize::from(unit.labels.is_empty());
        *exact += usize::from(unit.labels == *predicted);
    }
    tallies
        .into_iter()
        .map(|(family, (counts, units, other_units, exact))| {
            let score = FamilyScore {
                units,
                other_units,
                f1: counts.f1(),
                accuracy: exact as f64 / units as f64,
            };
            (family.to_string(), score)
        })
        .collect()
}

/// A plain-text table of families scored with context and unit-only, with each family's
/// measure against its target.
pub fn family_table(
    with_context: &BTreeMap<String, FamilyScore>,
    unit_only: &BTreeMap<String, FamilyScore>,
) -> String {
    let mut out = format!(
        "{:<24} {:>5} {:>5} {:>8} {:>8} {:>8} {:>8}  {}\n",
        "family", "units", "other", "f1", "accuracy", "f1 (u)", "acc. (u)", "measure vs target"
    );
    for (family, s) in with_context {
        let (measure, target) = s.measure();
        let alone = &unit_only[family];
        let name = if s.is_other_family() {
            "accuracy"
        } else {
            "f1"
        };
        let verdict = if measure >= target { "ok" } else { "below" };
        out += &format!(
            "{:<24} {:>5} {:>5} {:>8.4} {:>8.4} {:>8.4} {:>8.4}  {name} {measure:.4} vs {target}: {verdict}\n",
            family, s.units, s.other_units, s.f1, s.accuracy, alone.f1, alone.accuracy
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(family: &str, labels: &[Label]) -> ChallengeUnit {
        ChallengeUnit {
            id: "x".into(),
            family: family.into(),
            origin: "handwritten".into(),
            text: "t".into(),
            section: vec!["一、s".into()],
            lead: Some("l：".into()),
            labels: labels.iter().copied().collect(),
            label_source: "hand-challenge1@guideline-v2".into(),
        }
    }

    #[test]
    fn families_are_scored_by_f1_or_by_accuracy_when_mostly_other() {
        use Label::*;
        let units = [
            unit("a", &[Collection]),
            unit("a", &[Collection, Sharing]),
            unit("b", &[]),
            unit("b", &[]),
            unit("b", &[Rights]),
        ];
        let predictions: Vec<LabelSet> = [
            &[Collection][..],
            &[Collection][..],
            &[][..],
            &[Rights][..],
            &[Rights][..],
        ]
        .iter()
        .map(|l| l.iter().copied().collect())
        .collect();
        let scores = score_families(&units, &predictions);
        let a = &scores["a"];
        assert_eq!((a.units, a.other_units), (2, 0));
        assert!((a.f1 - 0.8).abs() < 1e-9, "2 tp, 1 fn");
        assert_eq!(a.accuracy, 0.5);
        assert_eq!(a.measure(), (a.f1, FAMILY_F1_TARGET));
        let b = &scores["b"];
        assert!(b.is_other_family());
        assert!((b.accuracy - 2.0 / 3.0).abs() < 1e-9);
        let record = units[1].to_record(1);
        assert_eq!(record.context, "一、s\nl：");
        assert_eq!(record.label_source.len(), 5);
    }
}
