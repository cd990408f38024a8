//! Subcommands of the `privclause` binary.

mod agreement;
mod convert;
mod dataset;
mod eval;
mod label;
mod report;
mod segment;
mod train;
mod tune;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Label the clauses of Chinese privacy policies, offline, on a CPU.
#[derive(Debug, Parser)]
#[command(name = "privclause", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cut policies into clause units and print them as JSONL.
    Segment(segment::SegmentArgs),
    /// Compare `segment` with CAPP-130's human sentence split: boundary precision/recall/F1.
    SegmentAgreement(agreement::AgreementArgs),
    /// Segment and classify policies (or pre-split units) with the BERT classifier.
    Label(label::LabelArgs),
    /// Write a static HTML report (a page per policy, a corpus page) of labeled records.
    Report(report::ReportArgs),
    /// Fine-tune a BERT base into a clause classifier on the labeled dataset.
    Train(train::TrainArgs),
    /// Score a model (or the rule baseline) on a labeled dataset.
    Eval(eval::EvalArgs),
    /// Build, sample and describe the labeled dataset.
    Dataset(dataset::DatasetArgs),
    /// Rewrite a model directory's weights as f32, f16 or bf16.
    Convert(convert::ConvertArgs),
    /// Re-tune a model's per-label thresholds, or its rule thresholds, on the dev split (gold
    /// labels only).
    Tune(tune::TuneArgs),
}

/// Runs one subcommand; the exit code says whether some inputs failed.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Segment(args) => segment::run(args),
        Command::SegmentAgreement(args) => agreement::run(args),
        Command::Label(args) => label::run(args),
        Command::Report(args) => report::run(args),
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Dataset(args) => dataset::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Tune(args) => tune::run(args),
    }
}

/// How policy files are found and read (`label` and `segment`).
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Follow symbolic links inside directories (links given as arguments are always read).
    #[arg(short = 'L', long = "follow")]
    pub follow: bool,
    /// Refuse policy files larger than this many bytes.
    #[arg(long, default_value_t = privclause::input::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

/// What `label` and `segment` look for in directories.
pub const POLICY_FILES: &str = "policy files (.txt, .md, .html, .htm)";

/// Says on standard error what a run skipped (symbolic links) or did not find (`sought`, e.g.
/// [`POLICY_FILES`]). Returns whether it found no input at all (with `found` inputs), which
/// makes the run fail.
pub fn report_inputs(skipped_links: &[std::path::PathBuf], found: usize, sought: &str) -> bool {
    if let Some(first) = skipped_links.first() {
        eprintln!(
            "warning: skipped {} symbolic link(s), such as {} (follow them with -L/--follow)",
            skipped_links.len(),
            first.display()
        );
    }
    if found == 0 {
        eprintln!("error: no {sought} in the given paths");
    }
    found == 0
}

/// The exit code of a run over many inputs: 1 when some failed (listed on standard error) or
/// none was found, else success.
pub fn exit_code(failures: &[String], nothing_found: bool) -> ExitCode {
    if !failures.is_empty() {
        eprintln!("{} inputs failed:", failures.len());
        for failure in failures {
            eprintln!("  {failure}");
        }
    }
    if failures.is_empty() && !nothing_found {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes `text` to standard output; a closed pipe (`| head`) ends quietly.
pub fn print_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// An error and its causes on one line, `outer: inner: ...` (see [`privclause::describe_error`]).
pub fn describe(err: &anyhow::Error) -> String {
    privclause::describe_error(err.as_ref())
}

/// The worker threads: `threads`, else `RAYON_NUM_THREADS`, else one per core.
pub fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    use anyhow::Context;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(n);
    }
    pool.build().context("starting the worker threads")
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::other("disk full");
        let err = anyhow::Error::new(io)
            .context("out.jsonl: disk full")
            .context("writing");
        assert_eq!(describe(&err), "writing: out.jsonl: disk full");
        let err = anyhow::anyhow!("inner").context("outer");
        assert_eq!(describe(&err), "outer: inner");
    }
}
