//! Why a model could not be found, loaded or run.

use std::path::PathBuf;

/// Why a model could not be found, loaded or run. Each variant names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: missing (a model directory needs config.json, tokenizer.json and model.safetensors)")]
    MissingFile { path: PathBuf },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: invalid JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Weights {
        path: PathBuf,
        source: candle_core::Error,
    },
    #[error("{path}: tokenizer: {message}")]
    Tokenizer { path: PathBuf, message: String },
    #[error("model {spec:?}: {message}")]
    NotFound { spec: String, message: String },
    #[error("loading the model in {}", dir.display())]
    LoadFrom {
        dir: PathBuf,
        #[source]
        source: Box<ModelError>,
    },
    #[error("running the model: {0}")]
    Run(#[from] candle_core::Error),
    #[error("tokenizing: {0}")]
    Tokenize(String),
}
