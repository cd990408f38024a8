//! `privclause tune`: re-tune a model's per-label thresholds (and, with `--with-rules`, its
//! rule thresholds) on the dev split (gold labels only) and rewrite its `privclause.json`.

use super::eval::score_records;
use super::label::load_model;
use anyhow::{Context, Result};
use clap::Args;
use privclause::dataset::rules::RULES_VERSION;
use privclause::dataset::{read_records, DatasetRecord, Split};
use privclause::labels::Label;
use privclause::model::SETTINGS_FILE;
use privclause::output::write_atomically;
use privclause::train::{gold_pairs, gold_ruled_pairs, tune_rule_thresholds, tune_thresholds};
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
    /// Also tune rule thresholds: lower thresholds for units the keyword rules give the label
    /// (each label's pair is tuned jointly; a label the rules do not help keeps the model alone).
    #[arg(long)]
    pub with_rules: bool,
}

pub fn run(args: TuneArgs) -> Result<ExitCode> {
    let records = read_records(&args.data)?;
    let dev: Vec<&DatasetRecord> = records.iter().filter(|r| r.split == Split::Dev).collect();
    let model = load_model(Some(&args.model.display().to_string()), None)?;
    let (labeler, scores) = score_records(model, &dev)?;
    let mut settings = labeler.model.settings.clone();
    settings.rule_thresholds.clear();
    settings.rules_version = None;
    if args.with_rules {
        let tuned = tune_rule_thresholds(&gold_ruled_pairs(&dev, &scores));
        for label in Label::ALL {
            let (threshold, rule_threshold) = tuned[label.index()];
            settings.thresholds.insert(label, threshold);
            if rule_threshold < threshold {
                settings.rule_thresholds.insert(label, rule_threshold);
            }
        }
        if !settings.rule_thresholds.is_empty() {
            settings.rules_version = Some(RULES_VERSION.to_string());
        }
    } else {
        let thresholds = tune_thresholds(&gold_pairs(&dev, &scores));
        for label in Label::ALL {
            settings.thresholds.insert(label, thresholds[label.index()]);
        }
    }
    let path = args.model.join(SETTINGS_FILE);
    let json = serde_json::to_string_pretty(&settings)? + "\n";
    write_atomically(&path, |w| w.write_all(json.as_bytes()))
        .with_context(|| format!("{}: writing", path.display()))?;
    for label in Label::ALL {
        match settings.rule_thresholds.get(&label) {
            Some(rule) => eprintln!(
                "{label}: {} ({rule} where {RULES_VERSION} gives it)",
                settings.threshold(label)
            ),
            None => eprintln!("{label}: {}", settings.threshold(label)),
        }
    }
    Ok(ExitCode::SUCCESS)
}
