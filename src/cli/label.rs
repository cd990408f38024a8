//! `privclause label`: segment and classify policies, or classify pre-split units.

use super::InputArgs;
use anyhow::{bail, Result};
use clap::Args;
use privclause::decide::Decider;
use privclause::label::run::{RunOptions, Shard, Sink};
use privclause::label::{BatchPolicy, Labeler};
use privclause::model::Precision;
use privclause::output::Format;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct LabelArgs {
    /// Policy files or directories (walked for .txt/.md/.html/.htm); `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output: a file for all records, or a directory (existing, or ending in `/`) for one
    /// output per input. Standard output when absent.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Model directory, or a Hugging Face repo id (cached offline-first).
    #[arg(long, env = "PRIVCLAUSE_MODEL")]
    pub model: Option<String>,
    /// One decision threshold for all labels, the model deciding alone (default: the model's
    /// per-label thresholds and rule thresholds).
    #[arg(long)]
    pub threshold: Option<f32>,
    /// Inputs are JSONL of {"id", "text", "context"} units: classify them without segmenting.
    #[arg(long)]
    pub input_units: bool,
    /// With an output directory: skip inputs whose output exists and is newer than the input.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub input: InputArgs,
    /// Label only shard INDEX of COUNT (1-based; chosen by a hash of each input's path), so the
    /// COUNT jobs of an array job cover a corpus once: `--shard $SLURM_ARRAY_TASK_ID/8`.
    #[arg(long, value_name = "INDEX/COUNT")]
    pub shard: Option<Shard>,
    /// Worker threads (default: RAYON_NUM_THREADS, else all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Dense-layer arithmetic (default: the model's `precision` setting).
    #[arg(long, value_enum)]
    pub precision: Option<Precision>,
    /// Units per batch (consecutive batches of fewer than 16 units share a parallel task,
    /// whose units run in passes of up to 256 tokens; scores do not depend on it).
    #[arg(long, default_value_t = BatchPolicy::default().batch_size)]
    pub batch_size: usize,
    /// Units are sorted by length within windows of this many (1: no sorting).
    #[arg(long, default_value_t = BatchPolicy::default().sort_window)]
    pub sort_window: usize,
}

pub fn run(args: LabelArgs) -> Result<ExitCode> {
    let pool = super::thread_pool(args.threads)?;
    let sink = Sink::from_arg(args.output.as_deref());
    if args.resume && !matches!(sink, Sink::Dir(_)) {
        bail!("--resume needs -o DIR (one output per input)");
    }
    if matches!(sink, Sink::Stdout) && args.format == Format::Parquet {
        bail!("Parquet output needs -o FILE or -o DIR");
    }
    let mut labeler = Labeler::load(args.model.as_deref(), args.precision)?;
    labeler.policy = BatchPolicy {
        batch_size: args.batch_size,
        sort_window: args.sort_window,
    };
    labeler.max_file_size = args.input.max_file_size;
    if let Some(threshold) = args.threshold {
        labeler.decider = Decider::uniform(threshold);
    }
    let options = RunOptions {
        sink,
        format: args.format,
        input_units: args.input_units,
        resume: args.resume,
        follow_links: args.input.follow,
        shard: args.shard,
    };
    let summary = labeler.label_corpus(&pool, &args.paths, &options)?;
    eprintln!(
        "labeled {} units from {} files in {:.1} s{}",
        summary.units,
        summary.files,
        summary.seconds,
        if summary.skipped > 0 {
            format!(" ({} up to date, skipped)", summary.skipped)
        } else {
            String::new()
        }
    );
    let found = summary.files + summary.skipped + summary.other_shards + summary.failures.len();
    let nothing_found = super::report_inputs(&summary.skipped_links, found, super::POLICY_FILES);
    Ok(super::exit_code(&summary.failures, nothing_found))
}
