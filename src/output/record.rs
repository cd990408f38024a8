//! The labeled record written for every unit.

use crate::labels::{LabelSet, Scores};
use crate::segment::{Unit, UnitKind};
use serde::{Deserialize, Serialize};

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
    /// How many overlapping windows the model read the text in: 1 unless the text is longer
    /// than the model's budget (its scores are then the windows' maximum).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub windows: usize,
    pub model: String,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

impl LabeledUnit {
    /// A record for a segmented unit.
    pub fn from_unit(unit: Unit, labels: LabelSet, scores: Scores, model: &str) -> Self {
        Self {
            doc: unit.doc().to_owned(),
            index: unit.index,
            id: None,
            start: Some(unit.start),
            end: Some(unit.end),
            kind: Some(unit.kind),
            section: unit.section().to_vec(),
            lead: unit.lead().map(str::to_owned),
            text: unit.text,
            labels,
            scores,
            windows: 1,
            model: model.to_string(),
        }
    }
}
