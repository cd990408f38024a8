//! `privclause report`: a static HTML report of labeled records (or of policies labeled first).

use super::InputArgs;
use anyhow::Result;
use clap::Args;
use privclause::label::Labeler;
use privclause::model::Precision;
use privclause::report::{write_report, ReportOptions, INDEX_PAGE};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output files of `privclause label` (.jsonl or .parquet) or directories of them (walked
    /// recursively); with --label, policy files or directories.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The directory the report is written into: index.html and policies/*.html.
    #[arg(short, long, required = true)]
    pub output: PathBuf,
    /// The paths are policies: label them first, as `privclause label` does.
    #[arg(long)]
    pub label: bool,
    /// With --label: model directory, or a Hugging Face repo id (cached offline-first).
    #[arg(long, env = "PRIVCLAUSE_MODEL")]
    pub model: Option<String>,
    /// With --label: dense-layer arithmetic (default: the model's `precision` setting).
    #[arg(long, value_enum, requires = "label")]
    pub precision: Option<Precision>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Worker threads (default: RAYON_NUM_THREADS, else all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

pub fn run(args: ReportArgs) -> Result<ExitCode> {
    let pool = super::thread_pool(args.threads)?;
    let labeler = if args.label {
        let mut labeler = Labeler::load(args.model.as_deref(), args.precision)?;
        labeler.max_file_size = args.input.max_file_size;
        Some(labeler)
    } else {
        None
    };
    let options = ReportOptions {
        out_dir: args.output.clone(),
        labeler: labeler.as_ref(),
        follow_links: args.input.follow,
    };
    let summary = write_report(&pool, &args.paths, &options)?;
    eprintln!(
        "wrote the report of {} policies ({} units) to {} in {:.1} s",
        summary.policies,
        summary.units,
        args.output.join(INDEX_PAGE).display(),
        summary.seconds
    );
    let sought = if args.label {
        super::POLICY_FILES
    } else {
        "labeled records (.jsonl, .parquet)"
    };
    let nothing_found = super::report_inputs(&summary.skipped_links, summary.inputs, sought);
    Ok(super::exit_code(&summary.failures, nothing_found))
}
