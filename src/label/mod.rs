//! Labeling units with a loaded model: encoding, batched scoring, decisions (through
//! [`crate::decide`]) and records; [`run`] labels whole corpora.

pub mod run;

pub use crate::batch::BatchPolicy;
pub use crate::labels::Scores;
pub use crate::output::LabeledUnit;

use crate::batch::score_in_batches;
use crate::dataset::{read_jsonl, DatasetError, DatasetRecord};
use crate::decide::Decider;
use crate::input::{InputError, DEFAULT_MAX_FILE_SIZE};
use crate::labels::LabelSet;
use crate::model::{ClauseModel, EncodedUnit, ModelError, ModelLocator, Precision, SETTINGS_FILE};
use crate::segment::{context_of, segment_file, SegmentOptions, Unit};
use rayon::prelude::*;
use serde::Deserialize;
use std::path::Path;

/// A unit given directly (`--input-units`): already split, with its context as one string.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InputUnit {
    pub id: serde_json::Value,
    pub text: String,
    #[serde(default)]
    pub context: String,
}

/// A unit's decision: its labels, its scores, and how many windows the model read it in.
struct Decided {
    labels: LabelSet,
    scores: Scores,
    windows: usize,
}

/// Why one input could not be labeled. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum LabelError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Units(#[from] DatasetError),
    #[error("{doc}: labeling failed")]
    Model {
        doc: String,
        #[source]
        source: Box<ModelError>,
    },
}

/// A model, how its scores become labels, how units are batched, and the largest policy file
/// it reads.
pub struct Labeler {
    pub model: ClauseModel,
    pub decider: Decider,
    pub policy: BatchPolicy,
    /// Policy files larger than this are refused (`--max-file-size`).
    pub max_file_size: u64,
}

impl Labeler {
    /// A labeler deciding as the model's `privclause.json` says, with the default batching.
    pub fn new(model: ClauseModel) -> Result<Self, ModelError> {
        let decider = Decider::from_settings(&model.settings).map_err(|e| ModelError::Invalid {
            path: model.dir.join(SETTINGS_FILE),
            message: e.to_string(),
        })?;
        Ok(Self {
            model,
            decider,
            policy: BatchPolicy::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        })
    }

    /// Finds (`--model`: a directory or a hub repo id; the shipped model when `None`) and loads a
    /// model with its dense layers in `precision` (the model's own setting when `None`).
    pub fn load(spec: Option<&str>, precision: Option<Precision>) -> Result<Self, ModelError> {
        let dir = ModelLocator::from_env().locate_or_default(spec)?;
        ClauseModel::load_as(&dir, precision)
            .and_then(Self::new)
            .map_err(|source| ModelError::LoadFrom {
                dir,
                source: Box::new(source),
            })
    }

    /// Raw scores (in [`crate::labels::Label::ALL`] order) of `(text, context)` pairs, in
    /// input order: encoded in parallel, then scored in batches in parallel. A text longer than
    /// the model's budget is read in overlapping windows and scores its windows' maximum.
    pub fn score_pairs(&self, pairs: &[(&str, String)]) -> Result<Vec<[f32; 5]>, ModelError> {
        Ok(self
            .score_windowed(pairs)?
            .into_iter()
            .map(|(raw, _)| raw)
            .collect())
    }

    /// As [`Self::score_pairs`], with the number of windows each pair was read in.
    pub fn score_windowed(
        &self,
        pairs: &[(&str, String)],
    ) -> Result<Vec<([f32; 5], usize)>, ModelError> {
        let windows: Vec<Vec<EncodedUnit>> = pairs
            .par_iter()
            .map(|(text, context)| self.model.encode_windows(text, context))
            .collect::<Result<_, _>>()?;
        let counts: Vec<usize> = windows.iter().map(Vec::len).collect();
        let encoded: Vec<EncodedUnit> = windows.into_iter().flatten().collect();
        let mut scores = self.score_encoded(&encoded).into_iter();
        Ok(counts
            .into_iter()
            .map(|n| {
                let max = scores.by_ref().take(n).fold([f32::MIN; 5], |max, s| {
                    std::array::from_fn(|i| max[i].max(s[i]))
                });
                (max, n)
            })
            .collect())
    }

    /// Raw scores of encoded units, batched by the policy, batches in parallel on the current
    /// rayon pool; in input order, and independent of the policy and thread count (beyond
    /// float rounding).
    pub fn score_encoded(&self, encoded: &[EncodedUnit]) -> Vec<[f32; 5]> {
        let lengths: Vec<usize> = encoded.iter().map(EncodedUnit::len).collect();
        score_in_batches(&lengths, self.policy, |task| {
            let members: Vec<&EncodedUnit> = task.iter().map(|&i| &encoded[i]).collect();
            self.model.score(&members)
        })
    }

    /// Scores and decides `(text, context)` pairs, in input order, with each pair's number of
    /// windows.
    fn score_and_decide(&self, pairs: &[(&str, String)]) -> Result<Vec<Decided>, ModelError> {
        let raw = self.score_windowed(pairs)?;
        Ok(pairs
            .par_iter()
            .zip(raw)
            .map(|((text, context), (raw, windows))| {
                let (labels, scores) = self.decider.decide(raw, text, context);
                Decided {
                    labels,
                    scores,
                    windows,
                }
            })
            .collect())
    }

    /// Labels the units of a segmented document, keeping their order.
    pub fn label_units(&self, units: Vec<Unit>) -> Result<Vec<LabeledUnit>, ModelError> {
        let pairs: Vec<(&str, String)> = units
            .iter()
            .map(|u| (u.text.as_str(), context_of(u.section(), u.lead())))
            .collect();
        let decided = self.score_and_decide(&pairs)?;
        drop(pairs);
        Ok(units
            .into_iter()
            .zip(decided)
            .map(|(unit, decided)| {
                let mut record =
                    LabeledUnit::from_unit(unit, decided.labels, decided.scores, &self.model.id);
                record.windows = decided.windows;
                record
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
            .map(|(index, (input, decided))| {
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
                    labels: decided.labels,
                    scores: decided.scores,
                    windows: decided.windows,
                    model: self.model.id.clone(),
                }
            })
            .collect())
    }

    /// Labels one file: a policy (read, decoded, segmented), or with `input_units` a JSONL file
    /// of [`InputUnit`]s. Records name the file as their `doc`.
    pub fn label_file(
        &self,
        path: &Path,
        input_units: bool,
    ) -> Result<Vec<LabeledUnit>, LabelError> {
        let doc = path.display().to_string();
        let labeled = if input_units {
            let units: Vec<InputUnit> = read_jsonl(path)?;
            self.label_inputs(&doc, units)
        } else {
            let opts = SegmentOptions::default();
            let units = segment_file(path, &doc, &opts, self.max_file_size)?;
            self.label_units(units)
        };
        labeled.map_err(|source| LabelError::Model {
            doc,
            source: Box::new(source),
        })
    }
}

impl Labeler {
    /// Raw scores of dataset records (each text with its context), in record order.
    pub fn score_records(&self, records: &[&DatasetRecord]) -> Result<Vec<[f32; 5]>, ModelError> {
        let pairs: Vec<(&str, String)> = records
            .iter()
            .map(|r| (r.text.as_str(), r.context.clone()))
            .collect();
        self.score_pairs(&pairs)
    }

    /// The labels and (calibrated) scores decided for dataset records. Without
    /// `rules_see_context`, rule thresholds read the unit alone (as the model does when its
    /// context mode is off).
    pub fn predict_records(
        &self,
        records: &[&DatasetRecord],
        rules_see_context: bool,
    ) -> Result<Vec<(LabelSet, Scores)>, ModelError> {
        let raw = self.score_records(records)?;
        Ok(records
            .iter()
            .zip(raw)
            .map(|(r, raw)| {
                let context = if rules_see_context { &r.context } else { "" };
                self.decider.decide(raw, &r.text, context)
            })
            .collect())
    }
}
