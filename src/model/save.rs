//! Writing a model directory in Hugging Face format, or just its `privclause.json`.

use super::config::{BertConfig, ClassifierSettings, Precision};
use super::read_json;
use super::{ModelError, CONFIG_FILE, SETTINGS_FILE, TOKENIZER_FILE, WEIGHTS_FILE};
use candle_core::{DType, Tensor};
use std::collections::HashMap;
use std::path::Path;

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<(), ModelError> {
    let json = serde_json::to_string_pretty(value).map_err(|source| ModelError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    std::fs::write(path, json + "\n").map_err(io_error(path))
}

/// Rewrites a model directory's `privclause.json` atomically (the other files untouched).
pub fn write_settings(dir: &Path, settings: &ClassifierSettings) -> Result<(), ModelError> {
    let path = dir.join(SETTINGS_FILE);
    let json = serde_json::to_string_pretty(settings).map_err(|source| ModelError::Json {
        path: path.clone(),
        source,
    })? + "\n";
    crate::atomic::write_atomically(&path, |w| w.write_all(json.as_bytes()))
        .map_err(io_error(&path))
}

/// Writes `config.json`, `tokenizer.json` (copied from `tokenizer_json`), `privclause.json`
/// and `model.safetensors` (tensors converted to `dtype`) into `dir`.
pub fn save_model_dir(
    dir: &Path,
    config: &BertConfig,
    settings: &ClassifierSettings,
    tokenizer_json: &Path,
    tensors: &HashMap<String, Tensor>,
    dtype: DType,
) -> Result<(), ModelError> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    write_json(&dir.join(CONFIG_FILE), config)?;
    write_json(&dir.join(SETTINGS_FILE), settings)?;
    let tokenizer_target = dir.join(TOKENIZER_FILE);
    if tokenizer_json != tokenizer_target {
        std::fs::copy(tokenizer_json, &tokenizer_target).map_err(io_error(tokenizer_json))?;
    }
    let weights = dir.join(WEIGHTS_FILE);
    let converted = tensors
        .iter()
        .map(|(name, t)| Ok((name.clone(), t.to_dtype(dtype)?)))
        .collect::<candle_core::Result<HashMap<_, _>>>()?;
    candle_core::safetensors::save(&converted, &weights).map_err(|source| ModelError::Weights {
        path: weights.clone(),
        source,
    })?;
    // The safetensors writer leaves its file private (0600); a model is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&weights, std::fs::Permissions::from_mode(0o644))
            .map_err(io_error(&weights))?;
    }
    Ok(())
}

/// Copies the model in `input` to `output` with its weights converted to `dtype` and, when
/// given, its inference `precision` set in `privclause.json`.
pub fn convert_model_dir(
    input: &Path,
    output: &Path,
    dtype: DType,
    precision: Option<Precision>,
) -> Result<(), ModelError> {
    let config: BertConfig = read_json(&input.join(CONFIG_FILE))?;
    let mut settings: ClassifierSettings = read_json(&input.join(SETTINGS_FILE))?;
    if let Some(precision) = precision {
        settings.precision = precision;
    }
    let weights = input.join(WEIGHTS_FILE);
    let tensors =
        candle_core::safetensors::load(&weights, &candle_core::Device::Cpu).map_err(|source| {
            ModelError::Weights {
                path: weights.clone(),
                source,
            }
        })?;
    save_model_dir(
        output,
        &config,
        &settings,
        &input.join(TOKENIZER_FILE),
        &tensors,
        dtype,
    )
}
