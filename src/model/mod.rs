//! A model directory in Hugging Face format (`config.json`, `tokenizer.json`,
//! `model.safetensors`, privclause's own `privclause.json`): finding it, loading it into the
//! inference engine, encoding units for it, and writing one. A loaded [`ClauseModel`] only
//! scores; deciding labels from scores is the `decide` module's job.

mod config;
mod encode;
mod error;
mod hub;
mod save;

pub use crate::engine::EncodedUnit;
pub use config::{
    logit, BertConfig, Calibration, ClassifierSettings, ContextMode, Precision, RuleThreshold,
};
pub use encode::UnitEncoder;
pub use error::ModelError;
pub use hub::{default_model_dir, ModelLocator, DEFAULT_MODEL};
pub use save::{convert_model_dir, save_model_dir, write_settings};

use crate::engine::PackedBert;
use crate::labels::Label;
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File names inside a model directory.
pub const CONFIG_FILE: &str = "config.json";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const WEIGHTS_FILE: &str = "model.safetensors";
pub const SETTINGS_FILE: &str = "privclause.json";
/// Weights of older `transformers` checkpoints: read only by `train` for a base model (a
/// pickle); labeling loads `model.safetensors` alone.
pub const PTH_WEIGHTS_FILE: &str = "pytorch_model.bin";

/// A loaded classifier, ready to encode and score units.
pub struct ClauseModel {
    /// Identifier written into every output record: directory name and weights hash, plus
    /// `+rules@vN` when its rule thresholds consult the keyword rules.
    pub id: String,
    /// The directory it was loaded from.
    pub dir: PathBuf,
    pub config: BertConfig,
    pub settings: ClassifierSettings,
    encoder: UnitEncoder,
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

/// The weights file of a model directory (`model.safetensors`: data, never code).
fn weights_path(dir: &Path) -> Result<PathBuf, ModelError> {
    let path = dir.join(WEIGHTS_FILE);
    if !path.is_file() {
        return Err(ModelError::MissingFile { path });
    }
    Ok(path)
}

/// A short hash of a file's bytes (the first 6 bytes of its SHA-256, in hex), read in 1 MiB
/// pieces so that the file is never held in memory whole.
fn short_hash(path: &Path) -> Result<String, ModelError> {
    let io_error = |source| ModelError::Io {
        path: path.into(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut hasher = Sha256::new();
    std::io::copy(
        &mut std::io::BufReader::with_capacity(1 << 20, file),
        &mut hasher,
    )
    .map_err(io_error)?;
    let digest = hasher.finalize();
    Ok(digest[..6].iter().map(|b| format!("{b:02x}")).collect())
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
        config
            .check_sizes()
            .map_err(|message| ModelError::Invalid {
                path: config_path.clone(),
                message,
            })?;
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
        let encoder = load_encoder(dir, &config, &settings)?;
        let weights_path = weights_path(dir)?;
        if let Some(precision) = precision {
            settings.precision = precision;
        }
        // The hash (for the model's id) reads the file on a second thread while this one
        // builds the network from its memory map: loading costs the longer of the two.
        let (hash, network) = std::thread::scope(|scope| {
            let hash = scope.spawn(|| short_hash(&weights_path));
            let network = load_network(&weights_path, &config, columns.len(), &settings);
            let hash = hash
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (hash, network)
        });
        let (hash, network) = (hash?, network?);
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
            dir: dir.to_path_buf(),
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

    /// Encodes one unit with its context (ignored when the context mode is
    /// [`ContextMode::None`]).
    pub fn encode(&self, text: &str, context: &str) -> Result<EncodedUnit, ModelError> {
        self.encoder
            .encode(text, context)
            .map_err(|e| ModelError::Tokenize(e.to_string()))
    }

    /// Encodes one unit as the windows that read it whole (one window unless the text is longer
    /// than the model's budget; see [`encode::UnitEncoder::encode_windows`]).
    pub fn encode_windows(
        &self,
        text: &str,
        context: &str,
    ) -> Result<Vec<EncodedUnit>, ModelError> {
        self.encoder
            .encode_windows(text, context)
            .map_err(|e| ModelError::Tokenize(e.to_string()))
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

/// Builds the inference network from the weights file, its dense layers in the settings'
/// precision.
fn load_network(
    weights_path: &Path,
    config: &BertConfig,
    labels: usize,
    settings: &ClassifierSettings,
) -> Result<PackedBert, ModelError> {
    let weights_error = |source| ModelError::Weights {
        path: weights_path.into(),
        source,
    };
    // SAFETY: the file is memory-mapped read-only and not modified while loaded.
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(&[weights_path], DType::F32, &Device::Cpu)
            .map_err(weights_error)?
    };
    PackedBert::load(&config.dimensions(), labels, vb, settings.precision).map_err(weights_error)
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
pub fn sigmoid(logit: f32) -> f32 {
    1.0 / (1.0 + (-logit).exp())
}
