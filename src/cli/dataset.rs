//! `privclause dataset`: rebuild the labeled dataset from the shared corpora, draw hand-check
//! samples, and count labels per split and source.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use privclause::dataset::agreement::pass_agreement;
use privclause::dataset::{
    build_dataset, read_records, DatasetRecord, HandLabels, Split, HAND_SOURCE_PREFIX,
};
use privclause::labels::Label;
use privclause::output::write_atomically;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct DatasetArgs {
    #[command(subcommand)]
    pub command: DatasetCommand,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Rebuild the dataset JSONL from the seeds, CAPP-130 and the hand annotations.
    Build(BuildArgs),
    /// Draw a seeded sample of CAPP-130 records without hand labels, as annotation tasks.
    Sample(SampleArgs),
    /// Count records and labels per split and label source (markdown).
    Stats(StatsArgs),
    /// Agreement of the first and second hand-annotation passes, per label (markdown).
    Agreement(AgreementArgs),
}

#[derive(Debug, Args)]
pub struct AgreementArgs {
    #[arg(long, default_value = "datasets/annotations")]
    pub annotations: PathBuf,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[arg(long, default_value = "datasets/seeds")]
    pub seeds: PathBuf,
    #[arg(long, default_value = "../shared/corpora/capp130")]
    pub capp: PathBuf,
    #[arg(long, default_value = "datasets/annotations")]
    pub annotations: PathBuf,
    #[arg(long, default_value = "datasets/privclause-v3.jsonl")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    #[arg(long, default_value = "datasets/privclause-v3.jsonl")]
    pub data: PathBuf,
    /// Records to draw per split, e.g. `test=600,dev=200,train=200`.
    #[arg(long, default_value = "test=600,dev=200,train=200")]
    pub per_split: String,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[arg(default_value = "datasets/privclause-v3.jsonl")]
    pub data: PathBuf,
}

pub fn run(args: DatasetArgs) -> Result<ExitCode> {
    match args.command {
        DatasetCommand::Build(args) => build(args),
        DatasetCommand::Sample(args) => sample(args),
        DatasetCommand::Stats(args) => stats(args),
        DatasetCommand::Agreement(args) => agreement(args),
    }
}

fn write_jsonl<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    write_atomically(path, |w| -> Result<()> {
        for row in rows {
            serde_json::to_writer(&mut *w, row)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
    .with_context(|| format!("{}: writing", path.display()))
}

fn build(args: BuildArgs) -> Result<ExitCode> {
    let hand = HandLabels::read_dir(&args.annotations)?;
    let (records, report) = build_dataset(&args.seeds, &args.capp, &hand)?;
    write_jsonl(&args.out, &records)?;
    eprintln!("{}", serde_json::to_string_pretty(&report)?);
    eprintln!("wrote {} records to {}", records.len(), args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn parse_per_split(spec: &str) -> Result<Vec<(Split, usize)>> {
    spec.split(',')
        .map(|part| {
            let (name, n) = part
                .split_once('=')
                .with_context(|| format!("{part:?}: expected SPLIT=N"))?;
            let split = match name.trim() {
                "train" => Split::Train,
                "dev" => Split::Dev,
                "test" => Split::Test,
                other => anyhow::bail!("unknown split {other:?}"),
            };
            Ok((split, n.trim().parse()?))
        })
        .collect()
}

/// An annotation task: what the annotator sees.
#[derive(serde::Serialize)]
struct Task<'a> {
    policy: &'a str,
    unit: usize,
    context: &'a str,
    text: &'a str,
}

fn sample(args: SampleArgs) -> Result<ExitCode> {
    let records = read_records(&args.data)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let mut tasks = Vec::new();
    for (split, n) in parse_per_split(&args.per_split)? {
        let mut pool: Vec<&DatasetRecord> = records
            .iter()
            .filter(|r| r.corpus() == "capp130" && r.split == split)
            .filter(|r| {
                r.label_source
                    .values()
                    .all(|s| !s.starts_with(HAND_SOURCE_PREFIX))
            })
            .collect();
        pool.shuffle(&mut rng);
        pool.truncate(n);
        pool.sort_by(|a, b| (&a.policy, a.unit).cmp(&(&b.policy, b.unit)));
        tasks.extend(pool.into_iter().map(|r| Task {
            policy: &r.policy,
            unit: r.unit,
            context: &r.context,
            text: &r.text,
        }));
    }
    write_jsonl(&args.out, &tasks)?;
    eprintln!("wrote {} tasks to {}", tasks.len(), args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn agreement(args: AgreementArgs) -> Result<ExitCode> {
    use std::fmt::Write;
    let hand = HandLabels::read_dir(&args.annotations)?;
    let rows = pass_agreement(&hand.agreement());
    let mut out = String::new();
    writeln!(
        out,
        "| label | units | pass 1 positives | pass 2 positives | both | F1 | kappa |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for row in rows {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.3} | {:.3} |",
            row.label,
            row.units,
            row.positives_first,
            row.positives_second,
            row.both,
            row.f1,
            row.kappa
        )?;
    }
    writeln!(
        out,
        "\n{} unit positions where the passes disagree are not adjudicated.",
        hand.unresolved()
    )?;
    super::print_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn stats(args: StatsArgs) -> Result<ExitCode> {
    let records = read_records(&args.data)?;
    let mut out = String::new();
    stats_tables(&records, &mut out)?;
    super::print_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Markdown tables: labels per split, then records and positives per split, corpus and source.
fn stats_tables(records: &[DatasetRecord], out: &mut String) -> std::fmt::Result {
    use std::fmt::Write;
    let splits = [Split::Train, Split::Dev, Split::Test];
    writeln!(
        out,
        "| split | policies | records | other | {} |",
        Label::ALL.map(|l| l.name()).join(" | ")
    )?;
    writeln!(out, "|---|---|---|---|{}", "---|".repeat(Label::ALL.len()))?;
    for split in splits {
        let rows: Vec<&DatasetRecord> = records.iter().filter(|r| r.split == split).collect();
        let mut policies: Vec<&str> = rows.iter().map(|r| r.policy.as_str()).collect();
        policies.dedup();
        let other = rows.iter().filter(|r| r.labels.is_empty()).count();
        let per_label = Label::ALL.map(|l| {
            rows.iter()
                .filter(|r| r.labels.contains(l))
                .count()
                .to_string()
        });
        writeln!(
            out,
            "| {split:?} | {} | {} | {other} | {} |",
            policies.len(),
            rows.len(),
            per_label.join(" | ")
        )?;
    }
    writeln!(out)?;
    let mut groups: BTreeMap<(Split, &str, Label, &str), (usize, usize)> = BTreeMap::new();
    for r in records {
        for (label, source) in &r.label_source {
            let entry = groups
                .entry((r.split, r.corpus(), *label, source.as_str()))
                .or_default();
            entry.0 += 1;
            entry.1 += r.labels.contains(*label) as usize;
        }
    }
    let checked: Vec<&DatasetRecord> = records.iter().filter(|r| r.weak_labels.is_some()).collect();
    if !checked.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Hand check of {} CAPP-130 units: the corpus mapping (collection, sharing, rights) and \
             rules@v1 (sensitive, exemptions) against the hand labels.\n",
            checked.len()
        )?;
        writeln!(
            out,
            "| label | both | weak only | hand only | neither | weak precision | weak recall |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|")?;
        for label in Label::ALL {
            let mut counts = [0usize; 4];
            for r in &checked {
                let weak = r.weak_labels.is_some_and(|w| w.contains(label));
                let hand = r.labels.contains(label);
                counts[match (weak, hand) {
                    (true, true) => 0,
                    (true, false) => 1,
                    (false, true) => 2,
                    (false, false) => 3,
                }] += 1;
            }
            let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
            writeln!(
                out,
                "| {label} | {} | {} | {} | {} | {:.3} | {:.3} |",
                counts[0],
                counts[1],
                counts[2],
                counts[3],
                ratio(counts[0], counts[0] + counts[1]),
                ratio(counts[0], counts[0] + counts[2])
            )?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "| split | corpus | label | source | records | positives |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for ((split, corpus, label, source), (n, pos)) in groups {
        writeln!(
            out,
            "| {split:?} | {corpus} | {label} | {source} | {n} | {pos} |"
        )?;
    }
    Ok(())
}
