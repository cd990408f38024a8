//! Labeling units with a loaded model: encoding, batching, thresholds, records.

mod batch;
mod record;

pub use batch::{plan_batches, score_all, score_in_batches, BatchPolicy};
pub use record::{LabeledUnit, Scores};

use crate::labels::Label;
use crate::model::{context_of, ClauseModel, EncodedUnit, ModelError};
use crate::segment::Unit;
use rayon::prelude::*;
use serde::Deserialize;

/// A unit given directly (`--input-units`): already split, with its context as one string.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InputUnit {
    pub id: serde_json::Value,
    pub text: String,
    #[serde(default)]
    pub context: String,
}

/// A model plus how to batch and threshold its scores.
pub struct Labeler {
    pub model: ClauseModel,
    pub policy: BatchPolicy,
    /// One threshold for every label, overriding the model's per-label ones.
    pub threshold: Option<f32>,
}

impl Labeler {
    fn threshold(&self, label: Label) -> f32 {
        self.threshold
            .unwrap_or_else(|| self.model.settings.threshold(label))
    }

    /// Encodes `(text, context)` pairs in parallel.
    fn encode(&self, pairs: &[(&str, String)]) -> Result<Vec<EncodedUnit>, ModelError> {
        pairs
            .par_iter()
            .map(|(text, context)| {
                self.model
                    .encoder
                    .encode(text, context)
                    .map_err(|e| ModelError::Tokenize(e.to_string()))
            })
            .collect()
    }

    /// Raw scores (in [`Label::ALL`] order) of `(text, context)` pairs, in input order.
    pub fn score_pairs(&self, pairs: &[(&str, String)]) -> Result<Vec<[f32; 5]>, ModelError> {
        let encoded = self.encode(pairs)?;
        Ok(score_all(&self.model, &encoded, self.policy))
    }

    fn to_scores(&self, raw: [f32; 5]) -> (crate::labels::LabelSet, Scores) {
        let scores = Scores::rounded(raw);
        (scores.labels(|l| self.threshold(l)), scores)
    }

    /// Labels the units of a segmented document, keeping their order.
    pub fn label_units(&self, units: Vec<Unit>) -> Result<Vec<LabeledUnit>, ModelError> {
        let pairs: Vec<(&str, String)> = units
            .iter()
            .map(|u| (u.text.as_str(), context_of(&u.section, u.lead.as_deref())))
            .collect();
        let raw = self.score_pairs(&pairs)?;
        Ok(units
            .into_iter()
            .zip(raw)
            .map(|(unit, raw)| {
                let (labels, scores) = self.to_scores(raw);
                LabeledUnit::from_unit(unit, labels, scores, &self.model.id)
            })
            .collect())
    }

    /// Labels pre-split units read from `doc`, keeping their order.
    pub fn label_inputs(
        &self,
        doc: &str,
        inputs: Vec<InputUnit>,
    ) -> Result<Vec<LabeledUnit>, ModelError> {
        let pairs: Vec<(&str, String)> = inputs
            .iter()
            .map(|u| (u.text.as_str(), u.context.clone()))
            .collect();
        let raw = self.score_pairs(&pairs)?;
        Ok(inputs
            .into_iter()
            .zip(raw)
            .enumerate()
            .map(|(index, (input, raw))| {
                let (labels, scores) = self.to_scores(raw);
                let id = match input.id {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                LabeledUnit {
                    doc: doc.to_string(),
                    index,
                    id: Some(id),
                    start: None,
                    end: None,
                    kind: None,
                    section: Vec::new(),
                    lead: None,
                    text: input.text,
                    labels,
                    scores,
                    model: self.model.id.clone(),
                }
            })
            .collect())
    }
}
