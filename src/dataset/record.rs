//! One labeled example of the privclause dataset (`datasets/*.jsonl`).

use crate::labels::{Label, LabelSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Which part of the by-policy split a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Train,
    Dev,
    Test,
}

/// A labeled unit with the provenance of each label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// Corpus-qualified policy id, e.g. `seeds/000_d0d0b87ea02956c3` or `capp130/菜鸟`.
    pub policy: String,
    /// Index of the unit within its policy.
    pub unit: usize,
    pub text: String,
    /// Section headings and list lead, joined by `\n` (the model's first segment).
    pub context: String,
    /// Labels the unit carries (empty: "other").
    pub labels: LabelSet,
    /// Where each label's value (present or absent) comes from: `capp130`, `rules@v1`,
    /// `hand-pass1@guideline-v1`, `hand-pass2@…`, `hand-adjudicated@…` (by hand, against the
    /// guideline, in that annotation pass). A label missing here is unknown for the record.
    pub label_source: BTreeMap<Label, String>,
    pub split: Split,
    /// For hand-checked CAPP-130 units: the labels the corpus mapping and the rules gave before
    /// the hand check (kept to measure where they disagree with the guideline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weak_labels: Option<LabelSet>,
}

impl DatasetRecord {
    /// Whether the record says anything about `label`.
    pub fn knows(&self, label: Label) -> bool {
        self.label_source.contains_key(&label)
    }

    /// The corpus part of the policy id (`seeds`, `capp130`).
    pub fn corpus(&self) -> &str {
        self.policy.split('/').next().unwrap_or("")
    }
}

/// Why a dataset or annotation file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {source}")]
    Parse {
        path: std::path::PathBuf,
        line: usize,
        source: serde_json::Error,
    },
}

/// Reads a dataset JSONL file (blank lines skipped).
pub fn read_records(path: &Path) -> Result<Vec<DatasetRecord>, DatasetError> {
    read_jsonl(path)
}

/// Reads a JSONL file of `T` (blank lines skipped); errors name the file and line.
pub fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, DatasetError> {
    let text = std::fs::read_to_string(path).map_err(|source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_jsonl(&text, path)
}

/// Parses JSONL text of `T` read from `path` (blank lines skipped); errors name the file and
/// line.
pub fn parse_jsonl<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<Vec<T>, DatasetError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|source| DatasetError::Parse {
                path: path.to_path_buf(),
                line: n + 1,
                source,
            })
        })
        .collect()
}
