//! `privclause tune`: re-tune a model's per-label thresholds (or, with `--rule-thresholds`, its
//! rule thresholds) on the dev split (gold labels only) and rewrite its `privclause.json`.

use anyhow::Result;
use clap::Args;
use privclause::dataset::{read_records, DatasetRecord, Split};
use privclause::decide::tune::{retune, TuneMode};
use privclause::label::Labeler;
use privclause::labels::Label;
use privclause::model::write_settings;
use privclause::rules::RULES_VERSION;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct TuneArgs {
    /// Model directory whose thresholds to tune.
    #[arg(long)]
    pub model: PathBuf,
    /// Dataset JSONL; its dev split is used.
    #[arg(long, default_value = "datasets/privclause-v3.jsonl")]
    pub data: PathBuf,
    /// Tune the rule thresholds instead, keeping the plain ones (the model alone): per label, a
    /// threshold alone and a lower one for units the keyword rules give the label, tuned jointly;
    /// a label the rules do not help gets none.
    #[arg(long)]
    pub rule_thresholds: bool,
    /// Fit a Platt calibration per label first, then re-tune the plain thresholds and (if the
    /// model has any) the rule thresholds on the calibrated scores.
    #[arg(long, conflicts_with = "rule_thresholds")]
    pub calibrate: bool,
}

pub fn run(args: TuneArgs) -> Result<ExitCode> {
    let records = read_records(&args.data)?;
    let dev: Vec<&DatasetRecord> = records.iter().filter(|r| r.split == Split::Dev).collect();
    let labeler = Labeler::load(Some(&args.model.display().to_string()), None)?;
    let scores = labeler.score_records(&dev)?;
    let mode = if args.calibrate {
        TuneMode::Calibrate
    } else if args.rule_thresholds {
        TuneMode::RuleThresholds
    } else {
        TuneMode::Plain
    };
    let settings = retune(&labeler.model.settings, &dev, &scores, mode);
    write_settings(&args.model, &settings)?;
    for label in Label::ALL {
        let alone = settings.threshold(label);
        if let Some(c) = settings.calibration.get(&label) {
            eprintln!(
                "{label}: calibrated by slope {}, offset {}",
                c.slope, c.offset
            );
        }
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
