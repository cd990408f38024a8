//! Labeling units with a loaded model: encoding, batching, decisions (thresholds, rule
//! thresholds), records.

mod batch;
mod record;

pub use batch::{plan_batches, score_all, score_in_batches, BatchPolicy};
pub use record::{LabeledUnit, Scores};

use crate::dataset::rules::rule_labels;
use crate::labels::{Label, LabelSet};
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

    /// Labels from raw scores (rounded first): each label whose score reaches its threshold, or,
    /// for a label with a rule threshold (see
    /// [`crate::model::ClassifierSettings::rule_thresholds`]), whose score passes that with the
    /// keyword rules' verdict on the unit. A `--threshold` override decides by the model alone.
    pub fn decide(&self, raw: [f32; 5], text: &str, context: &str) -> (LabelSet, Scores) {
        let scores = Scores::rounded(raw);
        if let Some(threshold) = self.threshold {
            return (scores.labels(|_| threshold), scores);
        }
        let settings = &self.model.settings;
        let ruled = if settings.rule_thresholds.is_empty() {
            LabelSet::EMPTY
        } else {
            rule_labels(text, context)
        };
        let labels = Label::ALL
            .into_iter()
            .filter(|&label| {
                let score = scores.get(label);
                match settings.rule_threshold(label) {
                    Some(rule) => rule.admits(score, ruled.contains(label)),
                    None => score >= settings.threshold(label),
                }
            })
            .collect();
        (labels, scores)
    }

    /// Scores and decides `(text, context)` pairs, in input order.
    fn score_and_decide(
        &self,
        pairs: &[(&str, String)],
    ) -> Result<Vec<(LabelSet, Scores)>, ModelError> {
        let raw = self.score_pairs(pairs)?;
        Ok(pairs
            .par_iter()
            .zip(raw)
            .map(|((text, context), raw)| self.decide(raw, text, context))
            .collect())
    }

    /// Labels the units of a segmented document, keeping their order.
    pub fn label_units(&self, units: Vec<Unit>) -> Result<Vec<LabeledUnit>, ModelError> {
        let pairs: Vec<(&str, String)> = units
            .iter()
            .map(|u| (u.text.as_str(), context_of(&u.section, u.lead.as_deref())))
            .collect();
        let decided = self.score_and_decide(&pairs)?;
        drop(pairs);
        Ok(units
            .into_iter()
            .zip(decided)
            .map(|(unit, (labels, scores))| {
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
        let decided = self.score_and_decide(&pairs)?;
        drop(pairs);
        Ok(inputs
            .into_iter()
            .zip(decided)
            .enumerate()
            .map(|(index, (input, (labels, scores)))| {
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
