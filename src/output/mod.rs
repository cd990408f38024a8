//! The labeled record ([`LabeledUnit`]) and writing records as JSONL, CSV or Parquet,
//! atomically.

mod columns;
mod parquet;
mod record;

pub use crate::atomic::write_atomically;
pub use record::LabeledUnit;

use crate::labels::Label;
use std::io::Write;

/// Output formats of `privclause label`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line, UTF-8, Chinese unescaped.
    Jsonl,
    /// A header row, then one row per unit; list columns joined with `|`, one score column per label.
    Csv,
    /// Apache Parquet with typed columns (lists stay lists).
    Parquet,
}

impl Format {
    /// The file extension of the format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

/// Why records could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("Parquet: {0}")]
    Parquet(String),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Writes `records` in `format` to `out`.
pub fn write_records(
    records: &[LabeledUnit],
    format: Format,
    out: &mut dyn Write,
) -> Result<(), OutputError> {
    match format {
        Format::Jsonl => write_jsonl(records, out),
        Format::Csv => write_csv(records, out),
        Format::Parquet => parquet::write_parquet(records, out),
    }
}

fn write_jsonl(records: &[LabeledUnit], out: &mut dyn Write) -> Result<(), OutputError> {
    for record in records {
        serde_json::to_writer(&mut *out, record)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// CSV header: the record fields, with one `score_<label>` column per label.
fn csv_header() -> Vec<String> {
    let mut header: Vec<String> = columns::SCALAR_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    header.extend(Label::ALL.iter().map(|l| format!("score_{l}")));
    header.push("model".into());
    header
}

fn write_csv(records: &[LabeledUnit], out: &mut dyn Write) -> Result<(), OutputError> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(csv_header())?;
    for record in records {
        let mut row = columns::scalar_cells(record);
        row.extend(Label::ALL.iter().map(|&l| record.scores.get(l).to_string()));
        row.push(record.model.clone());
        writer.write_record(row)?;
    }
    writer.flush()?;
    Ok(())
}
