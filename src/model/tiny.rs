//! A tiny random-weight classifier with the real bert-base-chinese vocabulary, for tests,
//! benches and the interop fixture.

use super::{
    random_classifier_weights, save_model_dir, BertConfig, ClassifierSettings, ModelError,
};
use candle_core::DType;
use std::path::Path;

/// The tiny model's config: 2 layers, hidden 32, 4 heads, the 21,128-token vocabulary.
pub fn tiny_config() -> BertConfig {
    let mut config: BertConfig = serde_json::from_value(serde_json::json!({
        "vocab_size": 21128, "hidden_size": 32, "num_hidden_layers": 2,
        "num_attention_heads": 4, "intermediate_size": 64, "hidden_act": "gelu",
        "max_position_embeddings": 128, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
        "model_type": "bert"
    }))
    .expect("valid tiny config");
    config.set_classifier_labels();
    config
}

/// Writes the tiny model with weights drawn from `seed` into `dir`, using `tokenizer_json`.
pub fn write_tiny_model(dir: &Path, tokenizer_json: &Path, seed: u64) -> Result<(), ModelError> {
    let config = tiny_config();
    let weights = random_classifier_weights(&config, 5, seed)?;
    let settings = ClassifierSettings {
        max_length: 128,
        ..ClassifierSettings::default()
    };
    save_model_dir(
        dir,
        &config,
        &settings,
        tokenizer_json,
        &weights,
        DType::F32,
    )
}
