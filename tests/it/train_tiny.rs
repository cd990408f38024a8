//! `train` end to end on the tiny model: it writes a model directory the runtime loads, its
//! seed fixes the result, and the loss falls on a learnable toy task.

use crate::common;
use privclause::dataset::{DatasetRecord, Split};
use privclause::labels::{Label, LabelSet};
use privclause::model::{ClassifierSettings, ClauseModel, ContextMode};
use privclause::train::{checkpoint_dir, load_base, train, StepStats, TrainConfig, TrainObserver};
use std::collections::BTreeMap;

/// Units that collect (label `collection`) and units about rights (label `rights`).
const COLLECT: [&str; 3] = [
    "我们会收集您的手机号码。",
    "我们需要获取您的位置信息。",
    "我们将收集您的设备标识符。",
];
const RIGHTS: [&str; 3] = [
    "您可以删除您的个人信息。",
    "您有权注销您的账户。",
    "您可以撤回您的授权同意。",
];

fn record(i: usize, split: Split) -> DatasetRecord {
    let collects = i.is_multiple_of(2);
    let text = if collects {
        COLLECT[i % 3]
    } else {
        RIGHTS[i % 3]
    };
    let label = if collects {
        Label::Collection
    } else {
        Label::Rights
    };
    DatasetRecord {
        policy: format!("toy/{}", i / 4),
        unit: i,
        text: text.to_string(),
        context: "一、个人信息".to_string(),
        labels: LabelSet::from_iter([label]),
        label_source: Label::ALL
            .into_iter()
            .map(|l| (l, "hand-pass1@guideline-v1".to_string()))
            .collect::<BTreeMap<_, _>>(),
        split,
        weak_labels: None,
    }
}

#[derive(Default)]
struct Losses(Vec<f32>);

impl TrainObserver for Losses {
    fn started(&mut self, _total_steps: usize) {}
    fn step(&mut self, stats: &StepStats) {
        self.0.push(stats.loss);
    }
    fn evaluated(&mut self, _step: usize, _dev_macro_f1: f64, _best: bool) {}
}

fn run(out: &std::path::Path) -> (privclause::train::TrainReport, Vec<f32>) {
    let base_dir = common::tiny_model();
    let base = load_base(base_dir.path()).expect("tiny base loads");
    let mut records: Vec<DatasetRecord> = (0..24).map(|i| record(i, Split::Train)).collect();
    records.extend((24..32).map(|i| record(i, Split::Dev)));
    let config = TrainConfig {
        epochs: 12,
        batch_size: 4,
        learning_rate: 3e-3,
        max_length: 32,
        context: ContextMode::SectionAndLead,
        context_dropout: 0.5,
        patience: 100,
        ..TrainConfig::default()
    };
    let mut losses = Losses::default();
    let report = train(
        &base,
        &records,
        &config,
        out,
        candle_core::DType::F32,
        ClassifierSettings::default(),
        &mut losses,
    )
    .expect("training runs");
    (report, losses.0)
}

#[test]
fn training_writes_a_loadable_model_repeatably_and_learns() {
    let dir = tempfile::tempdir().unwrap();
    let (first, losses) = run(&dir.path().join("a"));
    assert_eq!(first.steps, 12 * 24 / 4);
    assert!(checkpoint_dir(&dir.path().join("a"))
        .join("model.safetensors")
        .is_file());
    let model = ClauseModel::load(&dir.path().join("a")).expect("trained model loads");
    assert_eq!(model.settings.context, ContextMode::SectionAndLead);
    assert_eq!(model.settings.thresholds.len(), 5);

    let mean = |xs: &[f32]| xs.iter().sum::<f32>() / xs.len() as f32;
    let (early, late) = (mean(&losses[..6]), mean(&losses[losses.len() - 6..]));
    eprintln!("loss {early} -> {late}");
    assert!(late < early * 0.8, "loss {early} -> {late}");

    // The same seed gives the same weights, byte for byte.
    let (second, _) = run(&dir.path().join("b"));
    assert_eq!(first.best_step, second.best_step);
    let weights =
        |name: &str| std::fs::read(dir.path().join(name).join("model.safetensors")).unwrap();
    assert!(weights("a") == weights("b"), "same seed, different weights");
}
