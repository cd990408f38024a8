//! `privclause report`: a static HTML site from labeled records, to look at rather than read.
//!
//! Records come from the files `privclause label` wrote (JSONL or Parquet, [`read`]) or from
//! policies labeled on the spot with a [`Labeler`]. They are grouped into policies (one per
//! `doc`); each policy gets a page (its text with every unit marked by its labels,
//! its section tree, label filters, and the disclosure [`checklist`]), and the corpus an
//! `index.html` with a sortable table and two inline SVG charts. Pages load nothing from
//! anywhere: they open from `file://` offline. Every file is written atomically. A bad input is
//! reported and skipped; the others still get their pages.

mod assets;
pub mod checklist;
mod corpus_page;
mod html;
mod parquet;
mod policy;
mod policy_page;
pub mod read;
mod sections;
mod svg;

pub use read::ReadError;

use crate::atomic::{remove_stale_temp_files, write_atomically};
use crate::input::{collect_files, Collected};
use crate::label::Labeler;
use crate::output::LabeledUnit;
use corpus_page::{render_corpus_page, PolicyRow};
use indicatif::{ProgressBar, ProgressStyle};
use policy::{group_policies, LabelCounts, Policy};
use policy_page::render_policy_page;
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The directory under the output that holds the policy pages.
pub const POLICY_DIR: &str = "policies";
/// The corpus page.
pub const INDEX_PAGE: &str = "index.html";

/// What a report reads and where it goes.
pub struct ReportOptions<'a> {
    /// The directory the site is written into (created when missing).
    pub out_dir: PathBuf,
    /// Label policy files with this labeler instead of reading records (`--label`).
    pub labeler: Option<&'a Labeler>,
    /// Follow symbolic links inside directories (`-L`).
    pub follow_links: bool,
}

/// What a report run did.
#[derive(Debug, Clone, Default)]
pub struct ReportSummary {
    /// Input files found, read or not.
    pub inputs: usize,
    pub policies: usize,
    pub units: usize,
    /// One line per input that could not be used, naming it and why.
    pub failures: Vec<String>,
    /// Problems that cost no page (repeated units).
    pub warnings: Vec<String>,
    /// Symbolic links met in directories and not followed.
    pub skipped_links: Vec<PathBuf>,
    pub seconds: f64,
}

/// Why a report stopped before its end (a bad input does not stop it).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}: writing", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: removing temporary files of an interrupted run", dir.display())]
    Cleanup {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes the report of everything under `paths` into `options.out_dir`: `index.html` and one
/// page per policy under [`POLICY_DIR`]. Inputs are record files (`.jsonl`, `.parquet`), or
/// policy files with [`ReportOptions::labeler`]. Failing inputs are reported on standard error
/// as they happen, listed in the summary and on the corpus page; the run goes on. Work runs on
/// `pool`.
pub fn write_report(
    pool: &rayon::ThreadPool,
    paths: &[PathBuf],
    options: &ReportOptions,
) -> Result<ReportSummary, ReportError> {
    let started = Instant::now();
    let out_dir = &options.out_dir;
    if out_dir.is_dir() {
        remove_stale_temp_files(out_dir).map_err(|source| ReportError::Cleanup {
            dir: out_dir.clone(),
            source,
        })?;
    }
    let collected = match options.labeler {
        Some(_) => collect_files(paths, options.follow_links),
        None => read::collect_record_files(paths, options.follow_links),
    };
    let mut summary = ReportSummary {
        inputs: collected.files.len(),
        ..ReportSummary::default()
    };
    let records = load_records(pool, collected, options.labeler, &mut summary);
    let (policies, warnings) = group_policies(records);
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    summary.warnings = warnings;
    summary.policies = policies.len();
    summary.units = policies.iter().map(|p| p.units.len()).sum();

    let bar = progress_bar(policies.len(), "pages");
    let pages = out_dir.join(POLICY_DIR);
    let rows = pool.install(|| {
        policies
            .par_iter()
            .map(|policy| {
                let row = write_policy_page(&pages, policy);
                bar.inc(1);
                row
            })
            .collect::<Result<Vec<PolicyRow>, ReportError>>()
    });
    bar.finish_and_clear();
    let index = render_corpus_page(&rows?, &summary.failures);
    write_file(&out_dir.join(INDEX_PAGE), &index)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The records of every input, read (or labeled) a few files at a time in parallel; failures
/// go to standard error and the summary.
fn load_records(
    pool: &rayon::ThreadPool,
    collected: Collected,
    labeler: Option<&Labeler>,
    summary: &mut ReportSummary,
) -> Vec<LabeledUnit> {
    summary.skipped_links = collected.skipped_links;
    let mut files = Vec::new();
    for entry in collected.files {
        match entry {
            Ok(path) => files.push(path),
            Err(err) => {
                eprintln!("error: {err}");
                summary.failures.push(err.to_string());
            }
        }
    }
    let read_one = |path: &Path| -> Result<Vec<LabeledUnit>, String> {
        match labeler {
            Some(labeler) => labeler
                .label_file(path, false)
                .map_err(|e| crate::describe_error(&e)),
            None => read::read_record_file(path).map_err(|e| crate::describe_error(&e)),
        }
    };
    let bar = progress_bar(files.len(), "files");
    let mut records = Vec::new();
    let chunk = pool.current_num_threads().max(1) * 2;
    for paths in files.chunks(chunk) {
        let results: Vec<_> = pool.install(|| paths.par_iter().map(|p| read_one(p)).collect());
        for result in results {
            match result {
                Ok(read) => records.extend(read),
                Err(message) => {
                    bar.suspend(|| eprintln!("error: {message}"));
                    summary.failures.push(message);
                }
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    records
}

/// Renders and writes one policy's page; returns its row of the corpus table.
fn write_policy_page(pages: &Path, policy: &Policy) -> Result<PolicyRow, ReportError> {
    let counts = LabelCounts::of(&policy.units);
    let results = checklist::evaluate_all(&policy.units);
    let html = render_policy_page(policy, &counts, &results);
    write_file(&pages.join(&policy.page), &html)?;
    Ok(PolicyRow {
        doc: policy.doc.clone(),
        name: policy.name().to_string(),
        page: policy.page.clone(),
        counts,
        statuses: results.iter().map(|r| r.status).collect(),
    })
}

fn write_file(path: &Path, text: &str) -> Result<(), ReportError> {
    write_atomically(path, |out: &mut dyn Write| out.write_all(text.as_bytes())).map_err(|source| {
        ReportError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// A progress bar on standard error when it is a terminal, hidden otherwise.
fn progress_bar(len: usize, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:30}}] {{pos}}/{{len}} {what} (ETA {{eta}})"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}
