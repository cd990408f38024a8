//! Test fixtures (feature `test-util`, and the crate's own unit tests): a tiny random-weight
//! classifier with the real bert-base-chinese vocabulary, for tests, benches and the interop
//! fixture; and the checks the fuzz targets (`fuzz/`) run, so the tests can replay their
//! corpora.

use crate::dataset::parse_jsonl;
use crate::input::decode;
use crate::label::InputUnit;
use crate::labels::{Label, LabelSet, Scores};
use crate::model::{save_model_dir, BertConfig, ClassifierSettings, ModelError};
use crate::output::LabeledUnit;
use crate::segment::{segment, SegmentOptions};
use crate::train::network::{BertClassifier, Products};
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
    BertClassifier::load(config, num_labels, Products::F32, vb)?;
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

/// The fuzz target `input`'s check (also run by the tests on its corpus): decoding `bytes` as
/// plain text and as HTML, then segmenting, never panics, and every unit's offsets point at its
/// text, within the unit length budget.
pub fn check_input(bytes: &[u8]) {
    let opts = SegmentOptions { max_unit_chars: 64 };
    for html in [false, true] {
        let Ok(decoded) = decode(bytes, html) else {
            continue;
        };
        let chars: Vec<char> = decoded.text.chars().collect();
        for unit in segment("fuzz", &decoded.text, &opts) {
            assert!(unit.start < unit.end && unit.end <= chars.len(), "{unit:?}");
            let text: String = chars[unit.start..unit.end].iter().collect();
            assert_eq!(text, unit.text);
            assert!(unit.text.chars().count() <= opts.max_unit_chars, "{unit:?}");
        }
    }
}

/// The fuzz target `input_units`' check: parsing `text` as `--input-units` JSONL gives one unit
/// per non-blank line, or an error naming the file and line; never a panic.
pub fn check_input_units(text: &str) {
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    match parse_jsonl::<InputUnit>(text, Path::new("units.jsonl")) {
        Ok(units) => assert_eq!(units.len(), lines),
        Err(err) => assert!(err.to_string().starts_with("units.jsonl:"), "{err}"),
    }
}

/// A labeled record for tests: `text` from document `doc` at `index`, carrying `labels`, with
/// no offsets, kind, section or lead, zero scores and model `m`. Tests that need more set those
/// fields with struct update syntax.
pub fn labeled_unit(doc: &str, index: usize, text: &str, labels: &[Label]) -> LabeledUnit {
    LabeledUnit {
        doc: doc.into(),
        index,
        id: None,
        start: None,
        end: None,
        kind: None,
        section: Vec::new(),
        lead: None,
        text: text.into(),
        labels: labels.iter().copied().collect::<LabelSet>(),
        scores: Scores::rounded([0.0; 5]),
        windows: 1,
        model: "m".into(),
    }
}
