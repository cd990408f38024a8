//! Fine-tuning a BERT encoder with a multi-label head on the privclause dataset, in candle.
//!
//! AdamW, BCE with per-label positive weights (unknown labels masked), linear warm-up and
//! decay, gradient clipping, early stopping on dev macro-F1, fixed seed, per-label thresholds
//! tuned on dev, and a model directory in the runtime's format as the result.

mod adamw;
mod base;
mod loss;
pub mod network;
mod schedule;

pub use base::{load_base, BaseModel};
pub use network::Products;
pub use schedule::learning_rate;

use crate::batch::{score_in_batches, BatchPolicy};
use crate::dataset::{DatasetRecord, Split};
use crate::decide::tune::{gold_pairs, tune_thresholds};
use crate::decide::Decider;
use crate::engine::{PackedBert, Precision};
use crate::eval::{is_gold_source, Confusion};
use crate::labels::{Label, LabelSet};
use crate::model::{
    save_model_dir, sigmoid, BertConfig, ClassifierSettings, ContextMode, EncodedUnit, ModelError,
    UnitEncoder,
};
use adamw::{AdamWParams, FusedAdamW};
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};
use network::{batch_tensors, BertClassifier};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Name suffix of the (frozen) word-embedding table.
const WORD_EMBEDDINGS: &str = "word_embeddings.weight";

/// Everything that decides a training run (recorded in the model's `privclause.json`).
#[derive(Debug, Clone, Serialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub warmup_ratio: f64,
    pub weight_decay: f64,
    pub max_grad_norm: f64,
    pub max_length: usize,
    pub context: ContextMode,
    pub seed: u64,
    /// Stop after this many dev evaluations without a better macro-F1.
    pub patience: usize,
    /// Evaluate on dev every this many steps (0: once per epoch).
    pub eval_every: usize,
    /// Train on at most this many training records (a seeded sample), if set.
    pub max_train_records: Option<usize>,
    /// Share of training records fed without their context (seeded), so that one model
    /// serves both inputs and the value of context can be measured on the same weights.
    pub context_dropout: f64,
    /// Arithmetic of the dense layers' products (bf16 falls back to f32 without AMX bf16).
    pub products: Products,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 3,
            batch_size: 16,
            learning_rate: 1e-4,
            warmup_ratio: 0.06,
            weight_decay: 0.01,
            max_grad_norm: 1.0,
            max_length: 128,
            context: ContextMode::SectionAndLead,
            seed: 13,
            patience: 3,
            eval_every: 0,
            max_train_records: None,
            context_dropout: 0.0,
            products: Products::Bf16,
        }
    }
}

/// One optimizer step, as an observer sees it.
#[derive(Debug, Clone, Copy)]
pub struct StepStats {
    /// Steps taken so far (this one included).
    pub step: usize,
    pub loss: f32,
    pub learning_rate: f64,
    /// Examples in the step's batch.
    pub records: usize,
    /// Their real (unpadded) tokens.
    pub tokens: usize,
}

/// Progress events of a run, for a progress bar or a log.
pub trait TrainObserver {
    fn started(&mut self, total_steps: usize);
    fn step(&mut self, stats: &StepStats);
    fn evaluated(&mut self, step: usize, dev_macro_f1: f64, best: bool);
}

/// What a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub steps: usize,
    pub best_step: usize,
    pub best_dev_macro_f1: f64,
    pub thresholds: HashMap<Label, f32>,
    pub train_records: usize,
    pub dev_records: usize,
    pub seconds: f64,
}

/// A dataset record encoded for the network.
struct Example {
    unit: EncodedUnit,
    labels: LabelSet,
    known: LabelSet,
}

/// Which labels of a record an example keeps: all known ones (for the loss), or only those
/// from gold sources (for dev scores and thresholds, which must not chase rule labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    All,
    GoldOnly,
}

/// Encodes `records`; those whose flag in `drop_context` is set go in without their context.
fn encode_records(
    encoder: &UnitEncoder,
    records: &[&DatasetRecord],
    drop_context: &[bool],
    keep: Known,
) -> Result<Vec<Example>, ModelError> {
    use rayon::prelude::*;
    records
        .par_iter()
        .zip(drop_context)
        .map(|(r, &drop)| {
            let context = if drop { "" } else { r.context.as_str() };
            let unit = encoder
                .encode(&r.text, context)
                .map_err(|e| ModelError::Tokenize(e.to_string()))?;
            Ok(Example {
                unit,
                labels: r.labels,
                known: Label::ALL
                    .into_iter()
                    .filter(|l| match keep {
                        Known::All => r.knows(*l),
                        Known::GoldOnly => r.label_source.get(l).is_some_and(|s| is_gold_source(s)),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// Positive weight per label: negatives / positives among known entries, capped at 10.
fn positive_weights(examples: &[Example]) -> [f32; 5] {
    let mut weights = [1f32; 5];
    for label in Label::ALL {
        let known = examples.iter().filter(|e| e.known.contains(label));
        let (pos, total) = known.fold((0usize, 0usize), |(p, t), e| {
            (p + e.labels.contains(label) as usize, t + 1)
        });
        if pos > 0 {
            weights[label.index()] = ((total - pos) as f32 / pos as f32).clamp(1.0, 10.0);
        }
    }
    weights
}

/// Batches of example indices: shuffled, then sorted by length within windows of 50 batches
/// (little padding), then the batches shuffled again.
fn epoch_batches(examples: &[Example], batch_size: usize, rng: &mut StdRng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..examples.len()).collect();
    order.shuffle(rng);
    let mut batches = Vec::new();
    for window in order.chunks(batch_size * 50) {
        let mut window = window.to_vec();
        window.sort_by_key(|&i| examples[i].unit.len());
        batches.extend(window.chunks(batch_size).map(<[usize]>::to_vec));
    }
    batches.shuffle(rng);
    batches
}

fn label_matrix(examples: &[&Example], pick: impl Fn(&Example) -> LabelSet) -> Vec<f32> {
    examples
        .iter()
        .flat_map(|e| {
            let set = pick(e);
            Label::ALL.map(|l| set.contains(l) as u8 as f32)
        })
        .collect()
}

fn batch_inputs(
    examples: &[&Example],
    device: &Device,
) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
    let units: Vec<&EncodedUnit> = examples.iter().map(|e| &e.unit).collect();
    batch_tensors(&units, device)
}

/// Sigmoid scores of `examples` under the current weights in `varmap`, through the packed f32
/// inference network (the one labeling uses; batches in parallel).
fn predict(
    varmap: &VarMap,
    model_config: &BertConfig,
    examples: &[Example],
) -> candle_core::Result<Vec<[f32; 5]>> {
    let vb = VarBuilder::from_varmap(varmap, DType::F32, &Device::Cpu);
    let dims = model_config.dimensions();
    let network = PackedBert::load(&dims, Label::ALL.len(), vb, Precision::F32)?;
    let lengths: Vec<usize> = examples.iter().map(|e| e.unit.len()).collect();
    let policy = BatchPolicy {
        batch_size: 32,
        sort_window: usize::MAX,
    };
    Ok(score_in_batches(&lengths, policy, |task| {
        let units: Vec<&EncodedUnit> = task.iter().map(|&i| &examples[i].unit).collect();
        network
            .logits(&units)
            .into_iter()
            .map(|row| std::array::from_fn(|j| sigmoid(row[j])))
            .collect()
    }))
}

/// Macro-F1 of `scores` against the examples' known labels at `thresholds`.
fn macro_f1(examples: &[Example], scores: &[[f32; 5]], thresholds: &[f32; 5]) -> f64 {
    let decider = Decider::from_thresholds(*thresholds);
    let mut confusion = Confusion::default();
    for (e, s) in examples.iter().zip(scores) {
        let predicted = decider.labels(*s, LabelSet::EMPTY);
        confusion.add(e.labels, predicted, |l| e.known.contains(l));
    }
    confusion.macro_f1()
}

fn snapshot(varmap: &VarMap) -> candle_core::Result<HashMap<String, Tensor>> {
    let vars = varmap.data().lock().expect("varmap lock");
    vars.iter()
        .map(|(name, var)| Ok((name.clone(), var.as_tensor().copy()?)))
        .collect()
}

/// Fine-tunes `base` on the train split of `records`, early-stopping on the dev split, and
/// writes the best model to `out` (weights in `dtype`).
pub fn train(
    base: &BaseModel,
    records: &[DatasetRecord],
    config: &TrainConfig,
    out: &Path,
    dtype: DType,
    settings_template: ClassifierSettings,
    observer: &mut dyn TrainObserver,
) -> Result<TrainReport, ModelError> {
    let started = std::time::Instant::now();
    let device = Device::Cpu;
    let tokenizer =
        tokenizers::Tokenizer::from_file(&base.tokenizer).map_err(|e| ModelError::Tokenizer {
            path: base.tokenizer.clone(),
            message: e.to_string(),
        })?;
    let encoder = UnitEncoder::new(tokenizer, config.context, config.max_length, true).map_err(
        |message| ModelError::Tokenizer {
            path: base.tokenizer.clone(),
            message,
        },
    )?;
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut train_records: Vec<&DatasetRecord> =
        records.iter().filter(|r| r.split == Split::Train).collect();
    if let Some(limit) = config.max_train_records {
        // A seeded sample that keeps every hand-labeled record.
        train_records.shuffle(&mut rng);
        train_records.sort_by_key(|r| {
            !r.label_source
                .values()
                .any(|s| s.starts_with(crate::dataset::HAND_SOURCE_PREFIX))
        });
        train_records.truncate(limit);
    }
    let dev_records: Vec<&DatasetRecord> =
        records.iter().filter(|r| r.split == Split::Dev).collect();
    let drop_context: Vec<bool> = train_records
        .iter()
        .map(|_| rng.random_bool(config.context_dropout.clamp(0.0, 1.0)))
        .collect();
    let train_set = encode_records(&encoder, &train_records, &drop_context, Known::All)?;
    let keep_dev_context = vec![false; dev_records.len()];
    let dev_set = encode_records(&encoder, &dev_records, &keep_dev_context, Known::GoldOnly)?;

    let mut model_config = base.config.clone();
    model_config.set_classifier_labels();
    let varmap = VarMap::new();
    let mut network = BertClassifier::load(
        &model_config,
        Label::ALL.len(),
        config.products.effective(),
        VarBuilder::from_varmap(&varmap, DType::F32, &device),
    )?;
    network.seed_dropout(config.seed);
    {
        let vars = varmap.data().lock().expect("varmap lock");
        for (name, var) in vars.iter() {
            if let Some(t) = base.tensors.get(name) {
                var.set(t)?;
            }
        }
    }
    // The word embeddings (21k x hidden, most of the parameters) keep their pre-trained values:
    // training them costs a dense gradient and optimizer update per step on a CPU budget.
    network.freeze_word_embeddings();
    let vars: Vec<Var> = {
        let vars = varmap.data().lock().expect("varmap lock");
        let mut named: Vec<(&String, &Var)> = vars
            .iter()
            .filter(|(name, _)| !name.ends_with(WORD_EMBEDDINGS))
            .collect();
        named.sort_by(|a, b| a.0.cmp(b.0));
        named.into_iter().map(|(_, v)| v.clone()).collect()
    };
    let pos_weight = Tensor::new(&positive_weights(&train_set), &device)?;
    let mut optimizer = FusedAdamW::new(
        vars,
        AdamWParams::new(config.learning_rate, config.weight_decay),
    );

    let steps_per_epoch = train_set.len().div_ceil(config.batch_size.max(1));
    let total_steps = steps_per_epoch * config.epochs;
    let warmup = ((total_steps as f64) * config.warmup_ratio).ceil() as usize;
    let eval_every = if config.eval_every == 0 {
        steps_per_epoch
    } else {
        config.eval_every
    };
    observer.started(total_steps);
    let half = [0.5f32; 5];
    let mut best = (f64::NEG_INFINITY, 0usize, snapshot(&varmap)?);
    let mut evaluations_without_gain = 0;
    let mut step = 0;
    'epochs: for _ in 0..config.epochs {
        for batch in epoch_batches(&train_set, config.batch_size.max(1), &mut rng) {
            let members: Vec<&Example> = batch.iter().map(|&i| &train_set[i]).collect();
            let (ids, types, mask) = batch_inputs(&members, &device)?;
            let shape = (members.len(), Label::ALL.len());
            let targets = Tensor::from_vec(label_matrix(&members, |e| e.labels), shape, &device)?;
            let known = Tensor::from_vec(label_matrix(&members, |e| e.known), shape, &device)?;
            let logits = network.forward(&ids, &types, &mask)?;
            let loss = loss::masked_bce(&logits, &targets, &known, &pos_weight)?;
            let grads = loss.backward()?;
            let lr = learning_rate(step, total_steps, warmup, config.learning_rate);
            optimizer.set_learning_rate(lr);
            optimizer.step(&grads, config.max_grad_norm)?;
            step += 1;
            observer.step(&StepStats {
                step,
                loss: loss.to_scalar::<f32>()?,
                learning_rate: lr,
                records: members.len(),
                tokens: members.iter().map(|e| e.unit.len()).sum(),
            });
            if step % eval_every == 0 || step == total_steps {
                let scores = predict(&varmap, &model_config, &dev_set)?;
                let f1 = macro_f1(&dev_set, &scores, &half);
                let improved = f1 > best.0;
                observer.evaluated(step, f1, improved);
                if improved {
                    best = (f1, step, snapshot(&varmap)?);
                    evaluations_without_gain = 0;
                    let checkpoint = ClassifierSettings {
                        context: config.context,
                        max_length: config.max_length,
                        ..settings_template.clone()
                    };
                    save_model_dir(
                        &checkpoint_dir(out),
                        &model_config,
                        &checkpoint,
                        &base.tokenizer,
                        &best.2,
                        DType::F32,
                    )?;
                } else {
                    evaluations_without_gain += 1;
                    if evaluations_without_gain >= config.patience {
                        break 'epochs;
                    }
                }
            }
        }
    }

    // Restore the best weights, tune thresholds on dev, write the model.
    let (best_f1, best_step, best_tensors) = best;
    {
        let vars = varmap.data().lock().expect("varmap lock");
        for (name, var) in vars.iter() {
            var.set(&best_tensors[name])?;
        }
    }
    let scores = predict(&varmap, &model_config, &dev_set)?;
    let thresholds = tune_thresholds(&gold_pairs(&dev_records, &scores));
    let settings = ClassifierSettings {
        thresholds: Label::ALL
            .iter()
            .map(|l| (*l, thresholds[l.index()]))
            .collect(),
        context: config.context,
        max_length: config.max_length,
        lowercase_ascii: true,
        ..settings_template
    };
    save_model_dir(
        out,
        &model_config,
        &settings,
        &base.tokenizer,
        &best_tensors,
        dtype,
    )?;
    Ok(TrainReport {
        steps: step,
        best_step,
        best_dev_macro_f1: best_f1,
        thresholds: settings.thresholds.iter().map(|(l, t)| (*l, *t)).collect(),
        train_records: train_set.len(),
        dev_records: dev_set.len(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Where a run keeps its best model so far (thresholds 0.5) while training: `<out>.checkpoint`.
pub fn checkpoint_dir(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".checkpoint");
    PathBuf::from(name)
}
