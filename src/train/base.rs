//! Reading a base BERT (any Hugging Face BERT directory) to start fine-tuning from.

use crate::model::{
    read_json, BertConfig, ModelError, CONFIG_FILE, PTH_WEIGHTS_FILE, TOKENIZER_FILE, WEIGHTS_FILE,
};
use candle_core::Tensor;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A base encoder: its config, tokenizer file and weights named as in
/// `BertForSequenceClassification` (`bert.` prefix added where the checkpoint lacks it).
pub struct BaseModel {
    pub config: BertConfig,
    pub tokenizer: PathBuf,
    pub tensors: HashMap<String, Tensor>,
}

/// Reads `config.json`, `tokenizer.json` and `model.safetensors` or `pytorch_model.bin`.
pub fn load_base(dir: &Path) -> Result<BaseModel, ModelError> {
    let config: BertConfig = read_json(&dir.join(CONFIG_FILE))?;
    let tokenizer = dir.join(TOKENIZER_FILE);
    if !tokenizer.is_file() {
        return Err(ModelError::MissingFile { path: tokenizer });
    }
    let safetensors = dir.join(WEIGHTS_FILE);
    let pth = dir.join(PTH_WEIGHTS_FILE);
    let (path, raw) = if safetensors.is_file() {
        let raw = candle_core::safetensors::load(&safetensors, &candle_core::Device::Cpu);
        (safetensors, raw.map(|m| m.into_iter().collect::<Vec<_>>()))
    } else if pth.is_file() {
        let raw = candle_core::pickle::read_all(&pth);
        (pth, raw)
    } else {
        return Err(ModelError::MissingFile { path: safetensors });
    };
    let raw = raw.map_err(|source| ModelError::Weights {
        path: path.clone(),
        source,
    })?;
    let tensors = raw
        .into_iter()
        .filter(|(name, _)| !name.ends_with("position_ids"))
        .map(|(name, t)| {
            let name = if name.starts_with("bert.") || name.starts_with("classifier.") {
                name
            } else {
                format!("bert.{name}")
            };
            Ok((name, t.to_dtype(candle_core::DType::F32)?))
        })
        .collect::<candle_core::Result<HashMap<_, _>>>()
        .map_err(|source| ModelError::Weights { path, source })?;
    Ok(BaseModel {
        config,
        tokenizer,
        tensors,
    })
}
