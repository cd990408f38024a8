//! `privclause segment-agreement`: boundary agreement with CAPP-130's human sentence split.

use clap::Args;
use privclause::corpus::{boundary_agreement, load_capp, Boundaries};
use privclause::segment::{segment, SegmentOptions, DEFAULT_MAX_UNIT_CHARS};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// The CAPP-130 directory (with policies/, annotation/, label_explanation.json).
    pub dir: PathBuf,
    /// Longest unit in chars, as for `segment`.
    #[arg(long, default_value_t = DEFAULT_MAX_UNIT_CHARS)]
    pub max_unit_chars: usize,
    /// Also print one line per policy.
    #[arg(long)]
    pub per_policy: bool,
    /// Print up to N disagreements (with context) per kind and policy.
    #[arg(long, default_value_t = 0)]
    pub show: usize,
}

/// Segments every annotated policy and prints micro-averaged boundary P/R/F1.
pub fn run(args: AgreementArgs) -> anyhow::Result<ExitCode> {
    let opts = SegmentOptions {
        max_unit_chars: args.max_unit_chars.max(1),
    };
    let policies = load_capp(&args.dir)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut total = Boundaries::default();
    let mut annotated = 0;
    for p in &policies {
        if p.sentences.is_empty() {
            continue;
        }
        annotated += 1;
        let units = segment(&p.name, &p.text, &opts);
        let gold: Vec<&str> = p.sentences.iter().map(|s| s.text.as_str()).collect();
        let b = boundary_agreement(&p.text, &gold, &units);
        if args.per_policy {
            writeln!(
                out,
                "{}\t{}\tP={:.4}\tR={:.4}\tF1={:.4}\taligned={}/{}",
                p.name,
                p.annotation
                    .as_ref()
                    .map_or(String::new(), |a| a.display().to_string()),
                b.precision(),
                b.recall(),
                b.f1(),
                b.aligned,
                b.gold
            )?;
        }
        if args.show > 0 {
            let chars: Vec<char> = p.text.chars().collect();
            let ctx = |at: usize| -> String {
                let s = at.saturating_sub(25);
                let e = (at + 25).min(chars.len());
                let left: String = chars[s..at].iter().collect();
                let right: String = chars[at..e].iter().collect();
                format!("{}⟂{}", left, right).replace(['\n', '\r'], "⏎")
            };
            for &at in b.false_pos_at.iter().take(args.show) {
                writeln!(out, "FP\t{}\t{}", p.name, ctx(at))?;
            }
            for &at in b.false_neg_at.iter().take(args.show) {
                writeln!(out, "FN\t{}\t{}", p.name, ctx(at))?;
            }
        }
        total.add(&b);
    }
    writeln!(
        out,
        "policies={} annotated={} gold_sentences={} aligned={} boundaries: tp={} fp={} fn={} precision={:.4} recall={:.4} f1={:.4}",
        policies.len(),
        annotated,
        total.gold,
        total.aligned,
        total.true_pos,
        total.false_pos,
        total.false_neg,
        total.precision(),
        total.recall(),
        total.f1()
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
