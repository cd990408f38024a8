//! `privclause convert`: rewrite a model directory's weights in another float type, and
//! optionally its inference precision setting.

use anyhow::Result;
use clap::{Args, ValueEnum};
use privclause::model::{convert_model_dir, Precision};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WeightType {
    F32,
    F16,
    Bf16,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Model directory to read.
    pub input: PathBuf,
    /// Model directory to write (config, tokenizer and settings copied).
    pub output: PathBuf,
    #[arg(long, value_enum)]
    pub dtype: WeightType,
    /// Set the model's inference precision (`precision` in privclause.json) in the copy.
    #[arg(long, value_enum)]
    pub precision: Option<Precision>,
}

pub fn run(args: ConvertArgs) -> Result<ExitCode> {
    let dtype = match args.dtype {
        WeightType::F32 => candle_core::DType::F32,
        WeightType::F16 => candle_core::DType::F16,
        WeightType::Bf16 => candle_core::DType::BF16,
    };
    convert_model_dir(&args.input, &args.output, dtype, args.precision)?;
    eprintln!(
        "wrote {:?} weights to {}",
        args.dtype,
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
