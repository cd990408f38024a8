//! `privclause convert`: rewrite a model directory's weights in another float type, and
//! optionally its inference precision setting.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use privclause::model::{
    read_json, save_model_dir, BertConfig, ClassifierSettings, Precision, CONFIG_FILE,
    SETTINGS_FILE, TOKENIZER_FILE, WEIGHTS_FILE,
};
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
    let config: BertConfig = read_json(&args.input.join(CONFIG_FILE))?;
    let mut settings: ClassifierSettings = read_json(&args.input.join(SETTINGS_FILE))?;
    if let Some(precision) = args.precision {
        settings.precision = precision;
    }
    let weights = args.input.join(WEIGHTS_FILE);
    let tensors = candle_core::safetensors::load(&weights, &candle_core::Device::Cpu)
        .with_context(|| format!("{}: cannot load", weights.display()))?;
    let dtype = match args.dtype {
        WeightType::F32 => candle_core::DType::F32,
        WeightType::F16 => candle_core::DType::F16,
        WeightType::Bf16 => candle_core::DType::BF16,
    };
    save_model_dir(
        &args.output,
        &config,
        &settings,
        &args.input.join(TOKENIZER_FILE),
        &tensors,
        dtype,
    )?;
    eprintln!(
        "wrote {:?} weights to {}",
        args.dtype,
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
