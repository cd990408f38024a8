//! Writing a model directory in Hugging Face format, and random weights for tests and benches.

use super::bert::BertClassifier;
use super::config::{BertConfig, ClassifierSettings};
use super::{ModelError, CONFIG_FILE, SETTINGS_FILE, TOKENIZER_FILE, WEIGHTS_FILE};
use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use rand::{Rng, SeedableRng};
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

/// Every tensor of a classifier with `config`'s shapes, filled from a seeded generator
/// (layer-norm weights near 1, everything else small): the same seed gives the same weights.
pub fn random_classifier_weights(
    config: &BertConfig,
    num_labels: usize,
    seed: u64,
) -> Result<HashMap<String, Tensor>, ModelError> {
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    BertClassifier::load(config, num_labels, vb)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let vars = varmap.data().lock().expect("varmap lock");
    let mut names: Vec<&String> = vars.keys().collect();
    names.sort();
    let mut tensors = HashMap::with_capacity(names.len());
    for name in names {
        let shape = vars[name].shape().clone();
        let base = if name.ends_with("LayerNorm.weight") {
            1.0
        } else {
            0.0
        };
        let values: Vec<f32> = (0..shape.elem_count())
            .map(|_| base + rng.random_range(-0.08f32..0.08))
            .collect();
        tensors.insert(name.clone(), Tensor::from_vec(values, shape, &Device::Cpu)?);
    }
    Ok(tensors)
}
