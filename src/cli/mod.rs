//! Subcommands of the `privclause` binary.

mod agreement;
mod convert;
mod dataset;
mod eval;
mod label;
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
    /// Fine-tune a BERT base into a clause classifier on the labeled dataset.
    Train(train::TrainArgs),
    /// Score a model (or the rule baseline) on a labeled dataset.
    Eval(eval::EvalArgs),
    /// Build, sample and describe the labeled dataset.
    Dataset(dataset::DatasetArgs),
    /// Rewrite a model directory's weights as f32, f16 or bf16.
    Convert(convert::ConvertArgs),
    /// Re-tune a model's per-label thresholds on the dev split (gold labels only).
    Tune(tune::TuneArgs),
}

/// Runs one subcommand; the exit code says whether some inputs failed.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Segment(args) => segment::run(args),
        Command::SegmentAgreement(args) => agreement::run(args),
        Command::Label(args) => label::run(args),
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Dataset(args) => dataset::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Tune(args) => tune::run(args),
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
