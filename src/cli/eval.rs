//! `privclause eval`: per-label precision/recall/F1 of the model (or the rule baseline) on a
//! labeled dataset.

use anyhow::{Context, Result};
use clap::Args;
use privclause::dataset::{read_jsonl, read_records, DatasetRecord, Split};
use privclause::eval::challenge::{family_table, score_families, ChallengeUnit, FamilyScore};
use privclause::eval::{calibration_errors, evaluate, evaluate_by_source, Evaluation};
use privclause::label::Labeler;
use privclause::labels::{Label, LabelSet, Scores};
use privclause::model::ContextMode;
use privclause::rules::{rule_labels, RULES_VERSION};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labeled JSONL (dataset records: text, context, labels, label_source, split).
    pub data: PathBuf,
    /// Model directory or Hugging Face repo id (default: the shipped model).
    #[arg(long, env = "PRIVCLAUSE_MODEL", conflicts_with = "rules")]
    pub model: Option<String>,
    /// Evaluate the keyword/rule baseline (the labeling functions) instead of a model.
    #[arg(long)]
    pub rules: bool,
    /// Which split to score (`all` for every record).
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Dense-layer arithmetic (default: the model's `precision` setting).
    #[arg(long, value_enum)]
    pub precision: Option<privclause::model::Precision>,
    /// Feed the model the unit alone, without its section/lead context.
    #[arg(long)]
    pub no_context: bool,
    /// Decide by the model's scores alone: its plain thresholds, ignoring its rule thresholds.
    #[arg(long)]
    pub model_only: bool,
    /// Also break scores down by corpus and label source.
    #[arg(long)]
    pub by_source: bool,
    /// Read `data` as a challenge set (`datasets/challenge/`: units with family, section, lead)
    /// and score it per family, with context and unit-only.
    #[arg(long, conflicts_with_all = ["rules", "split", "no_context", "by_source"])]
    pub challenge: bool,
    /// Write the scores as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Serialize)]
struct EvalOutput<'a> {
    data: String,
    split: &'a str,
    predictor: String,
    overall: Evaluation,
    /// Expected calibration error of the written (calibrated) scores, per label.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    calibration_error: BTreeMap<Label, f64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    by_source: BTreeMap<String, Evaluation>,
}

fn select<'a>(records: &'a [DatasetRecord], split: &str) -> Result<Vec<&'a DatasetRecord>> {
    let wanted = match split {
        "all" => None,
        "train" => Some(Split::Train),
        "dev" => Some(Split::Dev),
        "test" => Some(Split::Test),
        other => anyhow::bail!("unknown split {other:?} (train, dev, test or all)"),
    };
    Ok(records
        .iter()
        .filter(|r| wanted.is_none_or(|w| r.split == w))
        .collect())
}

fn model_predictions(
    args: &EvalArgs,
    records: &[&DatasetRecord],
) -> Result<(String, Vec<(LabelSet, Scores)>)> {
    let mut labeler = Labeler::load(args.model.as_deref(), args.precision)?;
    if args.no_context {
        labeler.model.set_context_mode(ContextMode::None);
    }
    if args.model_only {
        labeler.decider = labeler.decider.model_only();
    }
    // Unit-only means the rules see no context either.
    let predictions = labeler.predict_records(records, !args.no_context)?;
    let mut predictor = labeler.model.id.clone();
    if args.model_only {
        predictor += " (model alone)";
    }
    if args.no_context {
        predictor += " (no context)";
    }
    Ok((predictor, predictions))
}

/// Scores of a challenge set: per label (with context), and per family with context and
/// unit-only.
#[derive(Serialize)]
struct ChallengeOutput {
    data: String,
    predictor: String,
    overall: Evaluation,
    overall_unit_only: Evaluation,
    families: BTreeMap<String, FamilyScore>,
    families_unit_only: BTreeMap<String, FamilyScore>,
}

fn run_challenge(args: &EvalArgs) -> Result<ExitCode> {
    let units: Vec<ChallengeUnit> = read_jsonl(&args.data)?;
    anyhow::ensure!(!units.is_empty(), "{}: no units", args.data.display());
    let records: Vec<DatasetRecord> = units
        .iter()
        .enumerate()
        .map(|(i, u)| u.to_record(i))
        .collect();
    let selected: Vec<&DatasetRecord> = records.iter().collect();
    let pool = super::thread_pool(args.threads)?;
    let mut labeler = pool.install(|| Labeler::load(args.model.as_deref(), args.precision))?;
    if args.model_only {
        labeler.decider = labeler.decider.model_only();
    }
    let labels_only = |decided: Vec<(LabelSet, Scores)>| -> Vec<LabelSet> {
        decided.into_iter().map(|(labels, _)| labels).collect()
    };
    let with_context = labels_only(pool.install(|| labeler.predict_records(&selected, true))?);
    labeler.model.set_context_mode(ContextMode::None);
    let unit_only = labels_only(pool.install(|| labeler.predict_records(&selected, false))?);
    let mut predictor = labeler.model.id.clone();
    if args.model_only {
        predictor += " (model alone)";
    }
    let output = ChallengeOutput {
        data: args.data.display().to_string(),
        predictor,
        overall: evaluate(&selected, &with_context),
        overall_unit_only: evaluate(&selected, &unit_only),
        families: score_families(&units, &with_context),
        families_unit_only: score_families(&units, &unit_only),
    };
    println!(
        "{} on {} ({} units, with context)\n",
        output.predictor,
        output.data,
        units.len()
    );
    print!("{}", output.overall.table());
    println!(
        "\nunit only (no context)\n{}",
        output.overall_unit_only.table()
    );
    print!(
        "{}",
        family_table(&output.families, &output.families_unit_only)
    );
    write_json(args, &output)?;
    Ok(ExitCode::SUCCESS)
}

fn write_json(args: &EvalArgs, output: &impl Serialize) -> Result<()> {
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(output)?;
        privclause::output::write_atomically(path, |w| w.write_all(json.as_bytes()))
            .with_context(|| format!("{}: writing", path.display()))?;
    }
    Ok(())
}

pub fn run(args: EvalArgs) -> Result<ExitCode> {
    if args.challenge {
        return run_challenge(&args);
    }
    let records = read_records(&args.data)?;
    let selected = select(&records, &args.split)?;
    anyhow::ensure!(
        !selected.is_empty(),
        "{}: no records in split {:?}",
        args.data.display(),
        args.split
    );
    let pool = super::thread_pool(args.threads)?;
    let (predictor, predictions, calibration_error) = if args.rules {
        let predictions = selected
            .iter()
            .map(|r| rule_labels(&r.text, &r.context))
            .collect();
        (RULES_VERSION.to_string(), predictions, BTreeMap::new())
    } else {
        let (predictor, decided) = pool.install(|| model_predictions(&args, &selected))?;
        let (predictions, scores): (Vec<LabelSet>, Vec<Scores>) = decided.into_iter().unzip();
        let errors = calibration_errors(&selected, &scores);
        (predictor, predictions, errors)
    };
    let output = EvalOutput {
        data: args.data.display().to_string(),
        split: &args.split,
        predictor,
        overall: evaluate(&selected, &predictions),
        calibration_error,
        by_source: if args.by_source {
            evaluate_by_source(&selected, &predictions)
        } else {
            BTreeMap::new()
        },
    };
    println!(
        "{} on {} ({} split, {} records)\n",
        output.predictor,
        output.data,
        output.split,
        selected.len()
    );
    print!("{}", output.overall.table());
    if !output.calibration_error.is_empty() {
        let errors: Vec<String> = output
            .calibration_error
            .iter()
            .map(|(label, e)| format!("{label} {e:.4}"))
            .collect();
        println!(
            "expected calibration error (10 bins): {}",
            errors.join(", ")
        );
    }
    for (group, evaluation) in &output.by_source {
        println!("\n{group}\n{}", evaluation.table());
    }
    write_json(&args, &output)?;
    Ok(ExitCode::SUCCESS)
}
