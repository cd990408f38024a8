//! `privclause tune`: re-tune a model's per-label thresholds (or, with `--rule-thresholds`, its
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
    /// Tune the rule thresholds instead, keeping the plain ones (the model alone): per label, a
    /// threshold alone and a lower one for units the keyword rules give the label, tuned jointly;
    /// a label the rules do not help gets none.
    #[arg(long)]
    pub rule_thresholds: bool,
}

pub fn run(args: TuneArgs) -> Result<ExitCode> {
    let records = read_records(&args.data)?;
    let dev: Vec<&DatasetRecord> = records.iter().filter(|r| r.split == Split::Dev).collect();
    let model = load_model(Some(&args.model.display().to_string()), None)?;
    let (labeler, scores) = score_records(model, &dev)?;
    let mut settings = labeler.model.settings.clone();
    if args.rule_thresholds {
        settings.rule_thresholds.clear();
        settings.rules_version = None;
        let tuned = tune_rule_thresholds(&gold_ruled_pairs(&dev, &scores));
        for label in Label::ALL {
            let rule = tuned[label.index()];
            if rule.with_rule < rule.alone {
                settings.rule_thresholds.insert(label, rule);
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
        let alone = settings.threshold(label);
        match settings.rule_threshold(label) {
            Some(rule) => eprintln!(
                "{label}: {alone} alone; with rules: {}, or {} where {RULES_VERSION} gives it",
                rule.alone, rule.with_rule
            ),
            None => eprintln!("{label}: {alone}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
