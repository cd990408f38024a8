//! `privclause segment`: print clause units as JSONL.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// Files or directories to read; `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

pub fn run(_args: SegmentArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("segment is not implemented yet")
}
