//! The labeled record written for every unit, and the conversion from scores to labels.

use crate::labels::{Label, LabelSet};
use crate::segment::{Unit, UnitKind};
use serde::{Deserialize, Serialize};

/// The five scores of a unit, by label name (rounded to 4 decimals when built from a model).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub collection: f32,
    pub sharing: f32,
    pub sensitive: f32,
    pub exemptions: f32,
    pub rights: f32,
}

impl Scores {
    /// From scores in [`Label::ALL`] order, rounded to 4 decimals.
    pub fn rounded(raw: [f32; 5]) -> Self {
        let r = |x: f32| (x * 1e4).round() / 1e4;
        Self {
            collection: r(raw[0]),
            sharing: r(raw[1]),
            sensitive: r(raw[2]),
            exemptions: r(raw[3]),
            rights: r(raw[4]),
        }
    }

    pub fn get(&self, label: Label) -> f32 {
        match label {
            Label::Collection => self.collection,
            Label::Sharing => self.sharing,
            Label::Sensitive => self.sensitive,
            Label::Exemptions => self.exemptions,
            Label::Rights => self.rights,
        }
    }

    /// Labels whose score reaches their threshold.
    pub fn labels(&self, threshold: impl Fn(Label) -> f32) -> LabelSet {
        Label::ALL
            .into_iter()
            .filter(|&l| self.get(l) >= threshold(l))
            .collect()
    }
}

/// One labeled unit: the output row of `privclause label`.
///
/// Units read with `--input-units` carry their `id` and no offsets, kind or section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabeledUnit {
    pub doc: String,
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kind: Option<UnitKind>,
    #[serde(default)]
    pub section: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lead: Option<String>,
    pub text: String,
    pub labels: LabelSet,
    pub scores: Scores,
    pub model: String,
}

impl LabeledUnit {
    /// A record for a segmented unit.
    pub fn from_unit(unit: Unit, labels: LabelSet, scores: Scores, model: &str) -> Self {
        Self {
            doc: unit.doc,
            index: unit.index,
            id: None,
            start: Some(unit.start),
            end: Some(unit.end),
            kind: Some(unit.kind),
            section: unit.section,
            lead: unit.lead,
            text: unit.text,
            labels,
            scores,
            model: model.to_string(),
        }
    }
}
