//! The model directory's two configuration files: Hugging Face `config.json` (a `BertConfig`)
//! and privclause's own `privclause.json` (thresholds, context feeding, provenance).

use crate::engine::Dimensions;
pub use crate::engine::Precision;
use crate::labels::Label;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The subset of a Hugging Face `BertConfig` that privclause reads and writes.
///
/// Unknown keys are kept in `extra`, so a config written by `transformers` survives a round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_hidden_act")]
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab_size")]
    pub type_vocab_size: usize,
    #[serde(default = "default_layer_norm_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_dropout")]
    pub hidden_dropout_prob: f64,
    #[serde(default = "default_dropout")]
    pub attention_probs_dropout_prob: f64,
    #[serde(default)]
    pub pad_token_id: u32,
    #[serde(default)]
    pub architectures: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub id2label: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub label2id: BTreeMap<String, usize>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn default_hidden_act() -> String {
    "gelu".into()
}
fn default_type_vocab_size() -> usize {
    2
}
fn default_layer_norm_eps() -> f64 {
    1e-12
}
fn default_dropout() -> f64 {
    0.1
}

impl BertConfig {
    /// Size of one attention head.
    pub fn head_size(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }

    /// Refuses sizes no BERT has (a config is data from whoever made the model): checked before
    /// anything is allocated from them. The bounds are far above bert-large's.
    pub fn check_sizes(&self) -> Result<(), String> {
        let bounds: [(&str, usize, usize, usize); 7] = [
            ("vocab_size", self.vocab_size, 1, 1_000_000),
            ("hidden_size", self.hidden_size, 1, 8_192),
            ("num_hidden_layers", self.num_hidden_layers, 0, 128),
            ("num_attention_heads", self.num_attention_heads, 1, 256),
            ("intermediate_size", self.intermediate_size, 1, 65_536),
            (
                "max_position_embeddings",
                self.max_position_embeddings,
                4,
                65_536,
            ),
            ("type_vocab_size", self.type_vocab_size, 1, 1_024),
        ];
        for (name, value, min, max) in bounds {
            if !(min..=max).contains(&value) {
                return Err(format!("{name} {value} is outside {min}..={max}"));
            }
        }
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        Ok(())
    }

    /// The encoder's shape, as the inference engine takes it.
    pub fn dimensions(&self) -> Dimensions {
        Dimensions {
            vocab_size: self.vocab_size,
            max_positions: self.max_position_embeddings,
            type_vocab_size: self.type_vocab_size,
            hidden: self.hidden_size,
            intermediate: self.intermediate_size,
            layers: self.num_hidden_layers,
            heads: self.num_attention_heads,
            layer_norm_eps: self.layer_norm_eps,
        }
    }

    /// Marks the config as a privclause multi-label classifier over [`Label::ALL`].
    pub fn set_classifier_labels(&mut self) {
        self.architectures = vec!["BertForSequenceClassification".into()];
        self.problem_type = Some("multi_label_classification".into());
        self.id2label = Label::ALL
            .iter()
            .map(|l| (l.index().to_string(), l.name().to_string()))
            .collect();
        self.label2id = Label::ALL
            .iter()
            .map(|l| (l.name().to_string(), l.index()))
            .collect();
        self.extra.remove("num_labels");
    }

    /// For each output column of the classifier, the label it scores.
    ///
    /// Fails with the name of the first missing or unknown label.
    pub fn output_labels(&self) -> Result<Vec<Label>, String> {
        let mut columns = Vec::with_capacity(self.id2label.len());
        for id in 0..self.id2label.len() {
            let name = self
                .id2label
                .get(&id.to_string())
                .ok_or_else(|| format!("id2label has no entry for id {id}"))?;
            columns.push(name.parse::<Label>().map_err(|e| e.to_string())?);
        }
        for label in Label::ALL {
            if !columns.contains(&label) {
                return Err(format!("id2label lacks the label {:?}", label.name()));
            }
        }
        Ok(columns)
    }
}

/// How a unit's context is fed to the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ContextMode {
    /// `[CLS] section + lead [SEP] text [SEP]`.
    #[default]
    SectionAndLead,
    /// `[CLS] text [SEP]`: the unit alone.
    None,
}

/// privclause's own settings stored beside the Hugging Face files (`privclause.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierSettings {
    /// Per-label decision thresholds on the sigmoid score, by label name.
    pub thresholds: BTreeMap<Label, f32>,
    /// Per-label decisions that consult the keyword rules (`rules_version`); where a label has
    /// one, it replaces that label's plain threshold unless the model is asked to decide alone
    /// (the `decide` module applies them). Empty: the model decides alone.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rule_thresholds: BTreeMap<Label, RuleThreshold>,
    /// The rules (`rules@vN`) that `rule_thresholds` were tuned with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules_version: Option<String>,
    /// Per-label Platt scaling of the model's scores, fitted on the dev split; thresholds and
    /// written scores are on the calibrated scale. A label without one is used as is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub calibration: BTreeMap<Label, Calibration>,
    /// How context is fed.
    #[serde(default)]
    pub context: ContextMode,
    /// Longest token sequence fed to the encoder, special tokens included.
    pub max_length: usize,
    /// Lower-case ASCII letters before tokenizing (the bert-base-chinese vocab is lower-case).
    #[serde(default = "yes")]
    pub lowercase_ascii: bool,
    /// Dense-layer arithmetic at inference (a speed/accuracy choice checked by `eval`).
    #[serde(default)]
    pub precision: Precision,
    /// Version of the dataset the model was trained on.
    #[serde(default)]
    pub data_version: Option<String>,
    /// Version of the labeling guideline of that dataset.
    #[serde(default)]
    pub guideline_version: Option<String>,
    /// Free-form provenance: base model, training command.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub provenance: serde_json::Map<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

impl Default for ClassifierSettings {
    fn default() -> Self {
        Self {
            thresholds: Label::ALL.iter().map(|l| (*l, 0.5)).collect(),
            rule_thresholds: BTreeMap::new(),
            rules_version: None,
            calibration: BTreeMap::new(),
            context: ContextMode::SectionAndLead,
            max_length: 256,
            lowercase_ascii: true,
            precision: Precision::F32,
            data_version: None,
            guideline_version: None,
            provenance: serde_json::Map::new(),
        }
    }
}

impl ClassifierSettings {
    /// The threshold of one label (0.5 where the file gives none).
    pub fn threshold(&self, label: Label) -> f32 {
        self.thresholds.get(&label).copied().unwrap_or(0.5)
    }

    /// The rule threshold of one label, if its decision consults the rules.
    pub fn rule_threshold(&self, label: Label) -> Option<RuleThreshold> {
        self.rule_thresholds.get(&label).copied()
    }

    /// The calibration of one label (the identity when it has none).
    pub fn calibration(&self, label: Label) -> Calibration {
        self.calibration
            .get(&label)
            .copied()
            .unwrap_or(Calibration::IDENTITY)
    }
}

/// Platt scaling of a sigmoid score `p`: `sigmoid(slope * logit(p) + offset)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub slope: f32,
    pub offset: f32,
}

impl Calibration {
    /// Leaves scores unchanged.
    pub const IDENTITY: Self = Self {
        slope: 1.0,
        offset: 0.0,
    };

    /// The calibrated score of a sigmoid score.
    pub fn apply(self, score: f32) -> f32 {
        if self == Self::IDENTITY {
            return score;
        }
        let z = logit(score);
        1.0 / (1.0 + (-(self.slope * z + self.offset)).exp())
    }
}

/// The logit of a score, clamped away from 0 and 1 so that it stays finite.
pub fn logit(score: f32) -> f32 {
    let p = score.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// A label's decision with the rules, as stored: given when the score reaches `alone`, or
/// reaches the lower `with_rule` on a unit the rules give that label (the `decide` module applies
/// it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RuleThreshold {
    pub alone: f32,
    pub with_rule: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    const M3E_CONFIG: &str = r#"{
      "_name_or_path": "uer/chinese_roberta_L-4_H-512", "architectures": ["BertModel"],
      "attention_probs_dropout_prob": 0.1, "classifier_dropout": null, "hidden_act": "gelu",
      "hidden_dropout_prob": 0.1, "hidden_size": 512, "initializer_range": 0.02,
      "intermediate_size": 2048, "layer_norm_eps": 1e-12, "max_position_embeddings": 512,
      "model_type": "bert", "num_attention_heads": 8, "num_hidden_layers": 4, "pad_token_id": 0,
      "position_embedding_type": "absolute", "type_vocab_size": 2, "vocab_size": 21128}"#;

    #[test]
    fn hf_config_round_trips_and_gains_labels() {
        let mut config: BertConfig = serde_json::from_str(M3E_CONFIG).unwrap();
        assert_eq!(config.head_size(), 64);
        assert!(
            config.output_labels().is_err(),
            "a base model has no labels"
        );
        config.set_classifier_labels();
        assert_eq!(config.output_labels().unwrap(), Label::ALL.to_vec());
        let json = serde_json::to_string(&config).unwrap();
        assert!(
            json.contains("\"model_type\":\"bert\""),
            "unknown keys survive: {json}"
        );
        let back: BertConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn labels_out_of_order_map_to_their_columns() {
        let mut config: BertConfig = serde_json::from_str(M3E_CONFIG).unwrap();
        config.set_classifier_labels();
        config.id2label.insert("0".into(), "rights".into());
        config.id2label.insert("4".into(), "collection".into());
        let columns = config.output_labels().unwrap();
        assert_eq!(columns[0], Label::Rights);
        assert_eq!(columns[4], Label::Collection);
        config.id2label.insert("4".into(), "other".into());
        assert!(config.output_labels().unwrap_err().contains("other"));
    }
}
