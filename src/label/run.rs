//! Labeling a corpus: inputs found under the given paths, documents labeled a few at a time in
//! parallel, records written in input order to standard output, one file, or one file per
//! input (atomically, so an interrupted run can resume; a directory run first removes the
//! temporary files a killed run left). A bad input is reported and skipped;
//! the others' output is never lost.

use super::{LabelError, LabeledUnit, Labeler};
use crate::atomic::remove_stale_temp_files;
use crate::input::collect_files;
use crate::output::{write_atomically, write_records, Format, OutputError};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where a run's records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    Stdout,
    /// All records in one file.
    File(PathBuf),
    /// One output per input, at its path relative to the argument it was found under.
    Dir(PathBuf),
}

impl Sink {
    /// From `-o`: none is standard output; an existing directory, or a path ending in `/`, is a
    /// directory; anything else is one file.
    pub fn from_arg(output: Option<&Path>) -> Self {
        match output {
            None => Sink::Stdout,
            Some(p) if p.is_dir() || p.as_os_str().to_string_lossy().ends_with('/') => {
                Sink::Dir(p.to_path_buf())
            }
            Some(p) => Sink::File(p.to_path_buf()),
        }
    }
}

/// One of `count` disjoint parts of a run's inputs (`--shard index/count`, 1-based), chosen by a
/// hash of each input's path: the `count` shards of the same command cover every input once,
/// so a job array (Slurm, Kubernetes) splits a corpus with no overlap and no gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parse = |part: &str| part.trim().parse::<usize>().ok();
        match s.split_once('/').map(|(i, n)| (parse(i), parse(n))) {
            Some((Some(index), Some(count))) if (1..=count).contains(&index) => {
                Ok(Shard { index, count })
            }
            _ => Err(format!(
                "{s:?} is not INDEX/COUNT with 1 <= INDEX <= COUNT (e.g. 2/8)"
            )),
        }
    }
}

impl Shard {
    /// Whether `path` belongs to this shard (FNV-1a of the path's bytes, stable everywhere).
    pub fn contains(&self, path: &Path) -> bool {
        let hash = path
            .as_os_str()
            .as_encoded_bytes()
            .iter()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        hash % self.count as u64 == (self.index - 1) as u64
    }
}

/// How a run reads and writes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub sink: Sink,
    pub format: Format,
    /// Inputs are JSONL units to label without segmenting.
    pub input_units: bool,
    /// With [`Sink::Dir`]: skip inputs whose output exists and is newer than the input.
    pub resume: bool,
    /// Follow symbolic links inside directories (`-L`).
    pub follow_links: bool,
    /// Label only this shard of the inputs.
    pub shard: Option<Shard>,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub units: usize,
    pub files: usize,
    /// Inputs skipped by `resume` as up to date.
    pub skipped: usize,
    /// Symbolic links met in directories and not followed.
    pub skipped_links: Vec<PathBuf>,
    /// Inputs left to the other shards.
    pub other_shards: usize,
    /// One line per input that failed, naming it and why.
    pub failures: Vec<String>,
    pub seconds: f64,
}

/// Why a run stopped before its end (a failing input does not stop it).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("writing to standard output")]
    Stdout(#[source] OutputError),
    #[error("{}: removing temporary files of an interrupted run", dir.display())]
    Cleanup {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: writing", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: OutputError,
    },
}

/// One input to label, with where its output goes in directory mode.
struct Job {
    path: PathBuf,
    output: Option<PathBuf>,
}

/// Why one job failed.
#[derive(Debug, thiserror::Error)]
enum JobError {
    #[error(transparent)]
    Label(#[from] LabelError),
    #[error(transparent)]
    Write(#[from] RunError),
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

fn write_file(path: &Path, records: &[LabeledUnit], format: Format) -> Result<(), RunError> {
    write_atomically(path, |w| write_records(records, format, w)).map_err(|source| {
        RunError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// A progress bar on standard error when it is a terminal, hidden otherwise.
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

impl Labeler {
    /// Labels every input under `paths` (files, directories walked for policy files, `-` for
    /// standard input) on `pool`, writing records as `options` say. Failures are reported on
    /// standard error as they happen and listed in the summary; the run goes on.
    pub fn label_corpus(
        &self,
        pool: &rayon::ThreadPool,
        paths: &[PathBuf],
        options: &RunOptions,
    ) -> Result<RunSummary, RunError> {
        let mut summary = RunSummary::default();
        if let Sink::Dir(dir) = &options.sink {
            if dir.is_dir() {
                remove_stale_temp_files(dir).map_err(|source| RunError::Cleanup {
                    dir: dir.clone(),
                    source,
                })?;
            }
        }
        let mut jobs = Vec::new();
        let collected = collect_files(paths, options.follow_links);
        summary.skipped_links = collected.skipped_links;
        for entry in collected.files {
            match entry {
                Err(err) => summary.failures.push(err.to_string()),
                Ok(path) if options.shard.is_some_and(|shard| !shard.contains(&path)) => {
                    summary.other_shards += 1;
                }
                Ok(path) => {
                    let output = match &options.sink {
                        Sink::Dir(dir) => Some(output_path(dir, &path, paths, options.format)),
                        _ => None,
                    };
                    let up_to_date = output.as_deref().is_some_and(|o| is_up_to_date(&path, o));
                    if options.resume && up_to_date {
                        summary.skipped += 1;
                        continue;
                    }
                    jobs.push(Job { path, output });
                }
            }
        }
        for failure in &summary.failures {
            eprintln!("error: {failure}");
        }

        let bar = progress_bar(jobs.len());
        let started = Instant::now();
        let mut collected: Vec<LabeledUnit> = Vec::new();
        let mut stdout = std::io::stdout().lock();
        // Documents run in parallel a few at a time; results are written in input order.
        let chunk = pool.current_num_threads().max(1) * 2;
        for jobs in jobs.chunks(chunk) {
            let results: Vec<Result<Vec<LabeledUnit>, JobError>> = pool.install(|| {
                jobs.par_iter()
                    .map(|job| {
                        let records = self.label_file(&job.path, options.input_units)?;
                        if let Some(out) = &job.output {
                            write_file(out, &records, options.format)?;
                        }
                        Ok(records)
                    })
                    .collect()
            });
            for result in results {
                match result {
                    Ok(records) => {
                        summary.units += records.len();
                        summary.files += 1;
                        match &options.sink {
                            Sink::Stdout => write_records(&records, options.format, &mut stdout)
                                .map_err(RunError::Stdout)?,
                            Sink::File(_) => collected.extend(records),
                            Sink::Dir(_) => {}
                        }
                    }
                    Err(err) => {
                        let message = crate::describe_error(&err);
                        bar.suspend(|| eprintln!("error: {message}"));
                        summary.failures.push(message);
                    }
                }
                bar.inc(1);
            }
            let rate = summary.units as f64 / started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!("{} units, {rate:.1} units/s", summary.units));
        }
        bar.finish_and_clear();
        stdout
            .flush()
            .map_err(|e| RunError::Stdout(OutputError::Io(e)))?;
        if let Sink::File(path) = &options.sink {
            write_file(path, &collected, options.format)?;
        }
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }
}
