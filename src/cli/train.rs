//! `privclause train`: fine-tune a BERT base on the dataset and write a model directory.

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use privclause::dataset::{read_records, DATA_VERSION, GUIDELINE_VERSION};
use privclause::model::{ClassifierSettings, ContextMode};
use privclause::train::{load_base, train, TrainConfig, TrainObserver};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Dataset JSONL (records with a `split` field).
    #[arg(long)]
    pub data: PathBuf,
    /// Base BERT directory (config.json, tokenizer.json, model.safetensors or pytorch_model.bin).
    #[arg(long, default_value = ".base/m3e-small")]
    pub base: PathBuf,
    /// Model directory to write.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    pub epochs: usize,
    #[arg(long, default_value_t = TrainConfig::default().batch_size)]
    pub batch_size: usize,
    #[arg(long, default_value_t = TrainConfig::default().learning_rate)]
    pub lr: f64,
    #[arg(long, default_value_t = TrainConfig::default().max_length)]
    pub max_length: usize,
    /// Train on the unit text alone (no section/lead context).
    #[arg(long)]
    pub no_context: bool,
    /// Share of training units fed without context (0 to 1), so the model also works unit-only.
    #[arg(long, default_value_t = TrainConfig::default().context_dropout)]
    pub context_dropout: f64,
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
    #[arg(long, default_value_t = TrainConfig::default().patience)]
    pub patience: usize,
    /// Evaluate on dev every N steps (0: every epoch).
    #[arg(long, default_value_t = 0)]
    pub eval_every: usize,
    /// Train on a seeded sample of at most N training records.
    #[arg(long)]
    pub max_train_records: Option<usize>,
    /// Store the weights as float16 (half the size).
    #[arg(long)]
    pub f16: bool,
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Progress bar on a terminal, a log line per evaluation otherwise.
struct Progress {
    bar: ProgressBar,
    loss: f32,
}

impl TrainObserver for Progress {
    fn started(&mut self, total_steps: usize) {
        self.bar.set_length(total_steps as u64);
    }

    fn step(&mut self, step: usize, loss: f32, learning_rate: f64) {
        self.loss = if step == 1 {
            loss
        } else {
            0.98 * self.loss + 0.02 * loss
        };
        self.bar.set_position(step as u64);
        self.bar
            .set_message(format!("loss {:.4} lr {learning_rate:.2e}", self.loss));
        if self.bar.is_hidden() && step.is_multiple_of(50) {
            eprintln!("step {step}: loss {:.4} lr {learning_rate:.2e}", self.loss);
        }
    }

    fn evaluated(&mut self, step: usize, dev_macro_f1: f64, best: bool) {
        let mark = if best { " (best)" } else { "" };
        self.bar
            .println(format!("step {step}: dev macro-F1 {dev_macro_f1:.4}{mark}"));
        if self.bar.is_hidden() {
            eprintln!("step {step}: dev macro-F1 {dev_macro_f1:.4}{mark}");
        }
    }
}

pub fn run(args: TrainArgs) -> Result<ExitCode> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("starting the worker threads")?;
    }
    let records = read_records(&args.data)?;
    let base = load_base(&args.base)
        .with_context(|| format!("loading the base model in {}", args.base.display()))?;
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: args.lr,
        max_length: args.max_length,
        context: if args.no_context {
            ContextMode::None
        } else {
            ContextMode::SectionAndLead
        },
        seed: args.seed,
        patience: args.patience,
        eval_every: args.eval_every,
        max_train_records: args.max_train_records,
        context_dropout: args.context_dropout,
        ..TrainConfig::default()
    };
    let command: Vec<String> = std::env::args().collect();
    let mut settings = ClassifierSettings {
        data_version: Some(DATA_VERSION.to_string()),
        guideline_version: Some(GUIDELINE_VERSION.to_string()),
        ..ClassifierSettings::default()
    };
    settings.provenance.insert(
        "data".into(),
        serde_json::Value::String(args.data.display().to_string()),
    );
    settings.provenance.insert(
        "base".into(),
        serde_json::Value::String(args.base.display().to_string()),
    );
    settings
        .provenance
        .insert("command".into(), command.join(" ").into());
    settings
        .provenance
        .insert("train_config".into(), serde_json::to_value(&config)?);

    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} steps, {msg} (ETA {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let mut progress = Progress { bar, loss: 0.0 };
    let dtype = if args.f16 {
        candle_core::DType::F16
    } else {
        candle_core::DType::F32
    };
    let report = train(
        &base,
        &records,
        &config,
        &args.out,
        dtype,
        settings,
        &mut progress,
    )?;
    progress.bar.finish_and_clear();
    eprintln!(
        "trained {} steps in {:.0} s on {} records; best dev macro-F1 {:.4} at step {}; model in {}",
        report.steps,
        report.seconds,
        report.train_records,
        report.best_dev_macro_f1,
        report.best_step,
        args.out.display()
    );
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}
