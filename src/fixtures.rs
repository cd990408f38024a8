//! Test fixtures (feature `test-util`, and the crate's own unit tests): a tiny random-weight
//! classifier with the real bert-base-chinese vocabulary, for tests, benches and the interop
//! fixture.

use crate::model::{save_model_dir, BertConfig, ClassifierSettings, ModelError};
use crate::train::network::BertClassifier;
use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
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
