//! `privclause tune`: re-tune a model's per-label thresholds on the dev split (gold labels
//! only) and rewrite its `privclause.json`.

use super::eval::score_records;
use super::label::load_model;
use anyhow::{Context, Result};
use clap::Args;
use privclause::dataset::{read_records, DatasetRecord, Split};
use privclause::labels::Label;
use privclause::model::SETTINGS_FILE;
use privclause::output::write_atomically;
use privclause::train::{gold_pairs, tune_thresholds};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct TuneArgs {
    /// Model directory whose thresholds to tune.
    #[arg(long)]
    pub model: PathBuf,
    /// Dataset JSONL; its dev split is used.
    #[arg(long, default_value = "datasets/privclause-v2.jsonl")]
    pub data: PathBuf,
}

pub fn run(args: TuneArgs) -> Result<ExitCode> {
    let records = read_records(&args.data)?;
    let dev: Vec<&DatasetRecord> = records.iter().filter(|r| r.split == Split::Dev).collect();
    let model = load_model(Some(&args.model.display().to_string()), None)?;
    let (labeler, scores) = score_records(model, &dev)?;
    let thresholds = tune_thresholds(&gold_pairs(&dev, &scores));
    let mut settings = labeler.model.settings.clone();
    for label in Label::ALL {
        settings.thresholds.insert(label, thresholds[label.index()]);
    }
    let path = args.model.join(SETTINGS_FILE);
    let json = serde_json::to_string_pretty(&settings)? + "\n";
    write_atomically(&path, |w| w.write_all(json.as_bytes()))
        .with_context(|| format!("{}: writing", path.display()))?;
    for label in Label::ALL {
        eprintln!("{label}: {:.2}", thresholds[label.index()]);
    }
    Ok(ExitCode::SUCCESS)
}
