//! The classifier: a model directory in Hugging Face format, loaded into candle.

mod bert;
mod config;
mod encode;
mod error;
mod fused;
mod hub;
mod kernels;
mod packed;
mod packed_f32;
mod quantized;
mod save;
mod tiny;

pub use bert::{BertClassifier, Mode};
pub use config::{BertConfig, ClassifierSettings, ContextMode, Precision, RuleThreshold};
pub use encode::{context_of, EncodedUnit, UnitEncoder};
pub use error::ModelError;
pub use hub::ModelLocator;
pub use packed::PackedBert;
pub use packed_f32::F32Matrix;
pub use quantized::Int8Matrix;
pub use save::{random_classifier_weights, save_model_dir};
pub use tiny::{tiny_config, write_tiny_model};

use crate::labels::Label;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File names inside a model directory.
pub const CONFIG_FILE: &str = "config.json";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const WEIGHTS_FILE: &str = "model.safetensors";
pub const SETTINGS_FILE: &str = "privclause.json";
/// Weights of older `transformers` checkpoints, read when `model.safetensors` is absent.
pub const PTH_WEIGHTS_FILE: &str = "pytorch_model.bin";

/// A loaded classifier, ready to score encoded units.
pub struct ClauseModel {
    /// Identifier written into every output record: directory name and weights hash, plus
    /// `+rules@vN` when its rule thresholds consult the keyword rules.
    pub id: String,
    pub config: BertConfig,
    pub settings: ClassifierSettings,
    pub encoder: UnitEncoder,
    network: PackedBert,
    /// Label scored by each output column of the network.
    columns: Vec<Label>,
}

/// Reads a JSON file of a model directory; a missing file is [`ModelError::MissingFile`].
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ModelError> {
    let bytes = std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ModelError::MissingFile { path: path.into() },
        _ => ModelError::Io {
            path: path.into(),
            source,
        },
    })?;
    serde_json::from_slice(&bytes).map_err(|source| ModelError::Json {
        path: path.into(),
        source,
    })
}

/// The weights file of a model directory and a short hash of its bytes.
fn weights_of(dir: &Path) -> Result<(PathBuf, String), ModelError> {
    let path = [WEIGHTS_FILE, PTH_WEIGHTS_FILE]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
        .ok_or_else(|| ModelError::MissingFile {
            path: dir.join(WEIGHTS_FILE),
        })?;
    let bytes = std::fs::read(&path).map_err(|source| ModelError::Io {
        path: path.clone(),
        source,
    })?;
    let digest = Sha256::digest(&bytes);
    let hash = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    Ok((path, hash))
}

impl ClauseModel {
    /// Loads a model directory (`config.json`, `tokenizer.json`, `model.safetensors`, and
    /// optionally `privclause.json`; without it, defaults apply).
    pub fn load(dir: &Path) -> Result<Self, ModelError> {
        Self::load_as(dir, None)
    }

    /// Loads a model directory with its dense layers in `precision` (the model's own
    /// `privclause.json` setting when `None`).
    pub fn load_as(dir: &Path, precision: Option<Precision>) -> Result<Self, ModelError> {
        let config_path = dir.join(CONFIG_FILE);
        let config: BertConfig = read_json(&config_path)?;
        let columns = config
            .output_labels()
            .map_err(|message| ModelError::Invalid {
                path: config_path.clone(),
                message,
            })?;
        let settings_path = dir.join(SETTINGS_FILE);
        let mut settings: ClassifierSettings = if settings_path.is_file() {
            read_json(&settings_path)?
        } else {
            ClassifierSettings {
                max_length: config.max_position_embeddings,
                ..ClassifierSettings::default()
            }
        };
        if settings.max_length > config.max_position_embeddings {
            return Err(ModelError::Invalid {
                path: settings_path,
                message: format!(
                    "max_length {} exceeds the model's {} positions",
                    settings.max_length, config.max_position_embeddings
                ),
            });
        }
        if !settings.rule_thresholds.is_empty() && settings.rules_version.is_none() {
            return Err(ModelError::Invalid {
                path: settings_path,
                message: "rule_thresholds without the rules_version they were tuned with".into(),
            });
        }
        if let Some(version) = &settings.rules_version {
            if version != crate::dataset::rules::RULES_VERSION {
                return Err(ModelError::Invalid {
                    path: settings_path,
                    message: format!(
                        "its rule thresholds were tuned with {version}, this build has {}; \
                         re-tune them with `privclause tune --rule-thresholds`",
                        crate::dataset::rules::RULES_VERSION
                    ),
                });
            }
        }
        let encoder = load_encoder(dir, &config, &settings)?;
        let (weights_path, hash) = weights_of(dir)?;
        let device = Device::Cpu;
        let weights_error = |source| ModelError::Weights {
            path: weights_path.clone(),
            source,
        };
        let vb = if weights_path.ends_with(PTH_WEIGHTS_FILE) {
            VarBuilder::from_pth(&weights_path, DType::F32, &device).map_err(weights_error)?
        } else {
            // SAFETY: the file is memory-mapped read-only and not modified while loaded.
            unsafe {
                VarBuilder::from_mmaped_safetensors(&[&weights_path], DType::F32, &device)
                    .map_err(weights_error)?
            }
        };
        if let Some(precision) = precision {
            settings.precision = precision;
        }
        let network = PackedBert::load(&config, columns.len(), vb, settings.precision)
            .map_err(weights_error)?;
        let name = dir
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "model".into());
        let rules = match (&settings.rules_version, settings.rule_thresholds.is_empty()) {
            (Some(version), false) => format!("+{version}"),
            _ => String::new(),
        };
        Ok(Self {
            id: format!("{name}@{hash}{rules}"),
            config,
            settings,
            encoder,
            network,
            columns,
        })
    }

    /// Changes how context is fed (e.g. to measure the model on units alone).
    pub fn set_context_mode(&mut self, mode: ContextMode) {
        self.settings.context = mode;
        self.encoder.set_context_mode(mode);
    }

    /// Sigmoid scores, one row per unit, columns in [`Label::ALL`] order.
    ///
    /// Units are packed, never padded: a unit's score does not depend on its batch beyond
    /// float rounding.
    pub fn score(&self, batch: &[&EncodedUnit]) -> Vec<[f32; 5]> {
        if batch.is_empty() {
            return Vec::new();
        }
        let logits = self.network.logits(batch);
        logits
            .into_iter()
            .map(|row| {
                let mut scores = [0f32; 5];
                for (column, label) in self.columns.iter().enumerate() {
                    scores[label.index()] = sigmoid(row[column]);
                }
                scores
            })
            .collect()
    }
}

/// Ids, type ids and attention mask tensors `[batch, longest]` of a batch, zero-padded.
pub fn batch_tensors(
    batch: &[&EncodedUnit],
    device: &Device,
) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
    let width = batch.iter().map(|u| u.len()).max().unwrap_or(0);
    let (ids, type_ids, mask) = pad_batch(batch, width);
    let shape = (batch.len(), width);
    Ok((
        Tensor::from_vec(ids, shape, device)?,
        Tensor::from_vec(type_ids, shape, device)?,
        Tensor::from_vec(mask, shape, device)?,
    ))
}

/// Ids, type ids and 0/1 attention mask of a batch, each padded with zeros to `width`.
fn pad_batch(batch: &[&EncodedUnit], width: usize) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let n = batch.len() * width;
    let (mut ids, mut type_ids, mut mask) = (vec![0; n], vec![0; n], vec![0; n]);
    for (row, unit) in batch.iter().enumerate() {
        let at = row * width;
        ids[at..at + unit.len()].copy_from_slice(&unit.ids);
        type_ids[at..at + unit.len()].copy_from_slice(&unit.type_ids);
        mask[at..at + unit.len()].fill(1);
    }
    (ids, type_ids, mask)
}

/// Loads `tokenizer.json` and checks it against the config's vocabulary.
fn load_encoder(
    dir: &Path,
    config: &BertConfig,
    settings: &ClassifierSettings,
) -> Result<UnitEncoder, ModelError> {
    let path = dir.join(TOKENIZER_FILE);
    if !path.is_file() {
        return Err(ModelError::MissingFile { path });
    }
    let tokenizer_error = |message: String| ModelError::Tokenizer {
        path: path.clone(),
        message,
    };
    let tokenizer =
        tokenizers::Tokenizer::from_file(&path).map_err(|e| tokenizer_error(e.to_string()))?;
    let encoder = UnitEncoder::new(
        tokenizer,
        settings.context,
        settings.max_length,
        settings.lowercase_ascii,
    )
    .map_err(tokenizer_error)?;
    if encoder.vocab_size() != config.vocab_size {
        return Err(tokenizer_error(format!(
            "vocabulary of {} tokens does not match config.json's vocab_size {}",
            encoder.vocab_size(),
            config.vocab_size
        )));
    }
    Ok(encoder)
}

/// The logistic function: a logit's score in (0, 1).
pub(crate) fn sigmoid(logit: f32) -> f32 {
    1.0 / (1.0 + (-logit).exp())
}
