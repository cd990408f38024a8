//! `privclause train`: fine-tune a BERT base on the dataset and write a model directory.

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use privclause::dataset::{read_records, DATA_VERSION, GUIDELINE_VERSION};
use privclause::model::{ClassifierSettings, ContextMode};
use privclause::train::{load_base, train, Products, StepStats, TrainConfig, TrainObserver};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

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
    /// Arithmetic of the dense layers' products: bf16 operands with f32 sums on AMX tiles
    /// (f32 on CPUs without AMX bf16), or f32 throughout.
    #[arg(long, value_enum, default_value_t = TrainConfig::default().products)]
    pub products: Products,
    /// Store the weights as float16 (half the size).
    #[arg(long)]
    pub f16: bool,
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Steps between log lines when no progress bar is shown.
const LOG_EVERY: usize = 50;

/// Progress bar on a terminal, a log line per 50 steps and per evaluation otherwise.
struct Progress {
    bar: ProgressBar,
    loss: f32,
    throughput: Throughput,
}

/// Records and real tokens trained per second since the last log line, evaluations excluded.
struct Throughput {
    since: Instant,
    records: usize,
    tokens: usize,
}

impl Throughput {
    fn new() -> Self {
        Self {
            since: Instant::now(),
            records: 0,
            tokens: 0,
        }
    }

    /// `(records/s, tokens/s, seconds)` since the last reset, and a reset.
    fn take(&mut self) -> (f64, f64, f64) {
        let seconds = self.since.elapsed().as_secs_f64().max(1e-9);
        let rates = (
            self.records as f64 / seconds,
            self.tokens as f64 / seconds,
            seconds,
        );
        *self = Self::new();
        rates
    }
}

impl TrainObserver for Progress {
    fn started(&mut self, total_steps: usize) {
        self.bar.set_length(total_steps as u64);
        self.throughput = Throughput::new();
    }

    fn step(&mut self, stats: &StepStats) {
        self.loss = if stats.step == 1 {
            stats.loss
        } else {
            0.98 * self.loss + 0.02 * stats.loss
        };
        self.throughput.records += stats.records;
        self.throughput.tokens += stats.tokens;
        let lr = stats.learning_rate;
        self.bar.set_position(stats.step as u64);
        self.bar
            .set_message(format!("loss {:.4} lr {lr:.2e}", self.loss));
        if self.bar.is_hidden() && stats.step.is_multiple_of(LOG_EVERY) {
            let (records, tokens, seconds) = self.throughput.take();
            eprintln!(
                "step {}: loss {:.4} lr {lr:.2e} ({records:.1} records/s, {tokens:.0} tokens/s \
                 over {seconds:.1} s)",
                stats.step, self.loss
            );
        }
    }

    fn evaluated(&mut self, step: usize, dev_macro_f1: f64, best: bool) {
        let mark = if best { " (best)" } else { "" };
        self.bar
            .println(format!("step {step}: dev macro-F1 {dev_macro_f1:.4}{mark}"));
        if self.bar.is_hidden() {
            eprintln!("step {step}: dev macro-F1 {dev_macro_f1:.4}{mark}");
        }
        // The next log line's rates count training alone.
        self.throughput = Throughput::new();
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
        products: args.products.effective(),
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
    let mut progress = Progress {
        bar,
        loss: 0.0,
        throughput: Throughput::new(),
    };
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
