//! Subcommands of the `privclause` binary.

mod agreement;
mod segment;

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
}

/// Runs one subcommand; the exit code says whether some inputs failed.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Segment(args) => segment::run(args),
        Command::SegmentAgreement(args) => agreement::run(args),
    }
}
