//! Hand labels from annotation passes (`datasets/annotations/*.jsonl`), keyed by policy and text.

use super::record::{read_jsonl, DatasetError, DatasetRecord};
use crate::labels::LabelSet;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// One line of an annotation file.
#[derive(Debug, Clone, Deserialize)]
pub struct HandLabel {
    pub policy: String,
    /// Index of the unit in its policy when annotated (tells repeated texts apart).
    pub unit: usize,
    pub text: String,
    pub labels: LabelSet,
    #[serde(default)]
    pub note: Option<String>,
}

/// All hand labels, by `(policy, text)`; a text repeated within a policy (the same list item
/// under two leads) keeps one entry per unit index.
#[derive(Debug, Default)]
pub struct HandLabels {
    labels: HashMap<(String, String), Vec<(usize, LabelSet)>>,
}

impl HandLabels {
    /// Reads every `*.jsonl` file of `dir` (sorted by name); a missing directory gives none.
    pub fn read_dir(dir: &Path) -> Result<Self, DatasetError> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(DatasetError::Io {
                    path: dir.into(),
                    source,
                })
            }
        };
        files.sort();
        let mut hand = HandLabels::default();
        for path in files {
            for label in read_jsonl::<HandLabel>(&path)? {
                hand.labels
                    .entry((label.policy, label.text))
                    .or_default()
                    .push((label.unit, label.labels));
            }
        }
        Ok(hand)
    }

    /// The hand labels of unit `unit` with text `text` of `policy`, if annotated. Where the
    /// text was annotated at several positions, the nearest position's labels apply.
    pub fn get(&self, policy: &str, unit: usize, text: &str) -> Option<LabelSet> {
        self.labels
            .get(&(policy.to_string(), text.to_string()))?
            .iter()
            .min_by_key(|(at, _)| at.abs_diff(unit))
            .map(|(_, labels)| *labels)
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// How many hand labels match none of `records`.
    pub fn unmatched(&self, records: &[DatasetRecord]) -> usize {
        let present: HashSet<(&str, &str)> = records
            .iter()
            .map(|r| (r.policy.as_str(), r.text.as_str()))
            .collect();
        self.labels
            .keys()
            .filter(|(p, t)| !present.contains(&(p.as_str(), t.as_str())))
            .count()
    }
}
