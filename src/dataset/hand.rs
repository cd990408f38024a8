//! Hand labels from annotation passes (`datasets/annotations/*.jsonl`), keyed by policy and text.
//!
//! A unit may be labeled by several independent passes. Where passes disagree, an
//! adjudicated line decides; the passes' own lines stay in their files, so their agreement can
//! be measured ([`HandLabels::agreement`]). A relabeling pass under a later guideline version
//! (`"guideline": "guideline-v2"`) overrides every line made under an earlier one.

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
    /// Which independent annotation pass made the line (1 when absent).
    #[serde(default = "first_pass")]
    pub pass: u8,
    /// Whether the line is the adjudicated decision where passes disagreed.
    #[serde(default)]
    pub adjudicated: bool,
    /// Guideline version the line follows (`guideline-v1` when absent: the passes before v2).
    #[serde(default = "first_guideline")]
    pub guideline: String,
}

fn first_pass() -> u8 {
    1
}

fn first_guideline() -> String {
    "guideline-v1".to_string()
}

/// The number of a `guideline-vN` version (0 when it has none).
fn guideline_number(version: &str) -> u32 {
    version
        .strip_prefix("guideline-v")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Which line wins when several label the same unit: the latest guideline, then adjudicated,
/// then the latest pass.
type Precedence = (u32, bool, u8);

impl HandLabel {
    fn precedence(&self) -> Precedence {
        (
            guideline_number(&self.guideline),
            self.adjudicated,
            self.pass,
        )
    }
}

/// The hand labels of one unit position.
#[derive(Debug, Clone)]
struct Entry {
    unit: usize,
    precedence: Precedence,
    guideline: String,
    labels: LabelSet,
}

impl Entry {
    /// A line of pass `pass` under guideline-v1, not adjudicated (what agreement compares).
    fn is_v1_pass(&self, pass: u8) -> bool {
        self.precedence == (1, false, pass)
    }
}

/// Where a unit's hand labels come from: an annotation pass, or the adjudication between passes,
/// under a guideline version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandOrigin {
    pub pass: u8,
    pub adjudicated: bool,
    pub guideline: String,
}

impl HandOrigin {
    /// The `label_source` of labels from this origin, e.g. `hand-pass2@guideline-v1`.
    pub fn label_source(&self) -> String {
        let guideline = &self.guideline;
        if self.adjudicated {
            format!("hand-adjudicated@{guideline}")
        } else {
            format!("hand-pass{}@{guideline}", self.pass)
        }
    }
}

/// Two passes' labels of the same unit, for agreement figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassPair {
    pub first: LabelSet,
    pub second: LabelSet,
}

/// All hand labels, by `(policy, text)`; a text repeated within a policy (the same list item
/// under two leads) keeps one entry per unit index.
#[derive(Debug, Default)]
pub struct HandLabels {
    labels: HashMap<(String, String), Vec<Entry>>,
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
                let entry = Entry {
                    unit: label.unit,
                    precedence: label.precedence(),
                    labels: label.labels,
                    guideline: label.guideline,
                };
                hand.labels
                    .entry((label.policy, label.text))
                    .or_default()
                    .push(entry);
            }
        }
        Ok(hand)
    }

    /// The hand labels of unit `unit` with text `text` of `policy`, and where they come from,
    /// if annotated. Where the text was annotated at several positions, the nearest position's
    /// labels apply; where several lines label that position, the one of the latest guideline,
    /// then the adjudicated one, else the latest pass.
    pub fn get(&self, policy: &str, unit: usize, text: &str) -> Option<(LabelSet, HandOrigin)> {
        self.labels
            .get(&(policy.to_string(), text.to_string()))?
            .iter()
            .min_by_key(|e| (e.unit.abs_diff(unit), std::cmp::Reverse(e.precedence)))
            .map(|e| {
                let (_, adjudicated, pass) = e.precedence;
                let guideline = e.guideline.clone();
                let origin = HandOrigin {
                    pass,
                    adjudicated,
                    guideline,
                };
                (e.labels, origin)
            })
    }

    /// Pass 1 and pass 2 labels (guideline-v1) of every unit both labeled, in a stable order. A pass-2 line
    /// pairs with the pass-1 line of the same policy and text nearest to it (passes over
    /// different segmenter versions may number a unit differently).
    pub fn agreement(&self) -> Vec<PassPair> {
        self.pass_pairs().map(|(pair, _, _)| pair).collect()
    }

    /// Units whose passes disagree and that no adjudicated line decides.
    pub fn unresolved(&self) -> usize {
        self.pass_pairs()
            .filter(|(pair, entries, unit)| {
                pair.first != pair.second
                    && !entries
                        .iter()
                        .any(|e| e.precedence.1 && e.unit.abs_diff(*unit) == 0)
            })
            .count()
    }

    /// Each pass-2 line with its nearest pass-1 line: the pair, all lines of that text, and
    /// the pass-2 line's unit index.
    fn pass_pairs(&self) -> impl Iterator<Item = (PassPair, &[Entry], usize)> {
        let mut keys: Vec<&(String, String)> = self.labels.keys().collect();
        keys.sort();
        keys.into_iter().flat_map(move |key| {
            let entries = self.labels[key].as_slice();
            entries
                .iter()
                .filter(|e| e.is_v1_pass(2))
                .filter_map(move |second| {
                    let first = entries
                        .iter()
                        .filter(|e| e.is_v1_pass(1))
                        .min_by_key(|e| e.unit.abs_diff(second.unit))?;
                    let pair = PassPair {
                        first: first.labels,
                        second: second.labels,
                    };
                    Some((pair, entries, second.unit))
                })
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Label;

    fn read(lines: &[&str]) -> HandLabels {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jsonl"), lines.join("\n")).unwrap();
        HandLabels::read_dir(dir.path()).unwrap()
    }

    #[test]
    fn a_later_guideline_overrides_passes_and_adjudication() {
        let hand = read(&[
            r#"{"policy":"p","unit":3,"text":"t","labels":["rights"],"pass":1}"#,
            r#"{"policy":"p","unit":3,"text":"t","labels":[],"pass":2}"#,
            r#"{"policy":"p","unit":3,"text":"t","labels":["rights"],"pass":2,"adjudicated":true}"#,
            r#"{"policy":"p","unit":3,"text":"t","labels":[],"pass":3,"guideline":"guideline-v2"}"#,
        ]);
        let (labels, origin) = hand.get("p", 3, "t").unwrap();
        assert!(!labels.contains(Label::Rights));
        assert_eq!(origin.label_source(), "hand-pass3@guideline-v2");
        // Agreement still compares the two v1 passes, and the adjudication resolves them.
        assert_eq!(hand.agreement().len(), 1);
        assert_eq!(hand.unresolved(), 0);
    }

    #[test]
    fn lines_without_a_guideline_are_v1() {
        let hand = read(&[r#"{"policy":"p","unit":0,"text":"t","labels":[],"pass":2}"#]);
        let (_, origin) = hand.get("p", 0, "t").unwrap();
        assert_eq!(origin.label_source(), "hand-pass2@guideline-v1");
    }
}
