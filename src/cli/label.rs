//! `privclause label`: segment and classify policies, or classify pre-split units.

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use privclause::dataset::read_jsonl;
use privclause::input::{collect_files, read_path};
use privclause::label::{BatchPolicy, InputUnit, LabeledUnit, Labeler};
use privclause::model::{ClauseModel, ModelLocator, Precision};
use privclause::output::{write_atomically, write_records, Format};
use privclause::segment::{segment, SegmentOptions};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The model used when `--model` is not given: the one shipped in `models/`.
pub const DEFAULT_MODEL: &str = "models/privclause-m3e-small";

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
    /// Worker threads (default: RAYON_NUM_THREADS, else all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Dense-layer arithmetic (default: the model's `precision` setting).
    #[arg(long, value_enum)]
    pub precision: Option<Precision>,
    /// Most units per forward pass.
    #[arg(long, default_value_t = BatchPolicy::default().batch_size)]
    pub batch_size: usize,
    /// Units are sorted by length within windows of this many (1: no sorting).
    #[arg(long, default_value_t = BatchPolicy::default().sort_window)]
    pub sort_window: usize,
}

/// Resolves `--model` (or the shipped default) to a loaded model.
pub fn load_model(spec: Option<&str>, precision: Option<Precision>) -> Result<ClauseModel> {
    let dir = match spec {
        Some(spec) => ModelLocator::from_env().locate(spec)?,
        None => default_model_dir(),
    };
    ClauseModel::load_as(&dir, precision)
        .with_context(|| format!("loading the model in {}", dir.display()))
}

fn default_model_dir() -> PathBuf {
    let local = PathBuf::from(DEFAULT_MODEL);
    if local.is_dir() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL)
    }
}

/// Where records go.
enum Sink {
    Stdout,
    File(PathBuf),
    Dir(PathBuf),
}

impl Sink {
    fn from_arg(output: Option<&Path>) -> Self {
        match output {
            None => Sink::Stdout,
            Some(p) if p.is_dir() || p.as_os_str().to_string_lossy().ends_with('/') => {
                Sink::Dir(p.to_path_buf())
            }
            Some(p) => Sink::File(p.to_path_buf()),
        }
    }
}

/// One input to process, with where its output goes in directory mode.
struct Job {
    path: PathBuf,
    output: Option<PathBuf>,
}

/// The output path of `input` under `dir`: its path relative to the argument it was found
/// under (just its file name for a file argument), with the format's extension added.
fn output_path(dir: &Path, input: &Path, roots: &[PathBuf], format: Format) -> PathBuf {
    let relative = roots
        .iter()
        .filter(|r| r.is_dir())
        .find_map(|r| input.strip_prefix(r).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| input.file_name().map(PathBuf::from).unwrap_or_default());
    let mut name = relative.into_os_string();
    name.push(".");
    name.push(format.extension());
    dir.join(name)
}

/// Whether `output` exists and was written after `input` last changed.
fn is_up_to_date(input: &Path, output: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(input), modified(output)), (Some(i), Some(o)) if o >= i)
}

fn label_one(labeler: &Labeler, path: &Path, input_units: bool) -> Result<Vec<LabeledUnit>> {
    let doc = path.display().to_string();
    if input_units {
        let units: Vec<InputUnit> = read_jsonl(path)?;
        return labeler
            .label_inputs(&doc, units)
            .with_context(|| format!("{doc}: labeling failed"));
    }
    let decoded = read_path(path)?;
    let units = segment(&doc, &decoded.text, &SegmentOptions::default());
    labeler
        .label_units(units)
        .with_context(|| format!("{doc}: labeling failed"))
}

fn progress_bar(files: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(files as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} files, {msg} (ETA {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

pub fn run(args: LabelArgs) -> Result<ExitCode> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("starting the worker threads")?;
    let sink = Sink::from_arg(args.output.as_deref());
    if args.resume && !matches!(sink, Sink::Dir(_)) {
        bail!("--resume needs -o DIR (one output per input)");
    }
    if matches!(sink, Sink::Stdout) && args.format == Format::Parquet {
        bail!("Parquet output needs -o FILE or -o DIR");
    }
    let labeler = Labeler {
        model: load_model(args.model.as_deref(), args.precision)?,
        policy: BatchPolicy {
            batch_size: args.batch_size,
            sort_window: args.sort_window,
        },
        threshold: args.threshold,
    };

    let mut failures: Vec<String> = Vec::new();
    let mut jobs = Vec::new();
    let mut skipped = 0usize;
    for entry in collect_files(&args.paths) {
        match entry {
            Err(err) => failures.push(err.to_string()),
            Ok(path) => {
                let output = match &sink {
                    Sink::Dir(dir) => Some(output_path(dir, &path, &args.paths, args.format)),
                    _ => None,
                };
                if args.resume && output.as_deref().is_some_and(|o| is_up_to_date(&path, o)) {
                    skipped += 1;
                    continue;
                }
                jobs.push(Job { path, output });
            }
        }
    }
    for failure in &failures {
        eprintln!("error: {failure}");
    }

    let bar = progress_bar(jobs.len());
    let started = Instant::now();
    let mut units_done = 0usize;
    let mut files_done = 0usize;
    let mut collected: Vec<LabeledUnit> = Vec::new();
    let mut stdout = std::io::stdout().lock();
    // Documents run in parallel a few at a time; results are written in input order.
    let chunk = pool.current_num_threads().max(1) * 2;
    for jobs in jobs.chunks(chunk) {
        let results: Vec<Result<Vec<LabeledUnit>>> = pool.install(|| {
            jobs.par_iter()
                .map(|job| {
                    let records = label_one(&labeler, &job.path, args.input_units)?;
                    if let Some(out) = &job.output {
                        write_atomically(out, |w| write_records(&records, args.format, w))
                            .with_context(|| format!("{}: writing", out.display()))?;
                    }
                    Ok(records)
                })
                .collect()
        });
        for result in results {
            match result {
                Ok(records) => {
                    units_done += records.len();
                    files_done += 1;
                    match &sink {
                        Sink::Stdout => write_records(&records, args.format, &mut stdout)
                            .context("writing to standard output")?,
                        Sink::File(_) => collected.extend(records),
                        Sink::Dir(_) => {}
                    }
                }
                Err(err) => {
                    // Every error of a job names its file.
                    let message = super::describe(&err);
                    bar.suspend(|| eprintln!("error: {message}"));
                    failures.push(message);
                }
            }
            bar.inc(1);
        }
        let rate = units_done as f64 / started.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{units_done} units, {rate:.1} units/s"));
    }
    bar.finish_and_clear();
    stdout.flush()?;
    if let Sink::File(path) = &sink {
        write_atomically(path, |w| write_records(&collected, args.format, w))
            .with_context(|| format!("{}: writing", path.display()))?;
    }

    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "labeled {units_done} units from {files_done} files in {seconds:.1} s{}",
        if skipped > 0 {
            format!(" ({skipped} up to date, skipped)")
        } else {
            String::new()
        }
    );
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("{} inputs failed:", failures.len());
    for failure in &failures {
        eprintln!("  {failure}");
    }
    Ok(ExitCode::from(1))
}
