//! Reading the CAPP-130 corpus (Zhu et al., NeurIPS 2023): policy texts plus the annotators'
//! own sentence split and labels.
//!
//! Layout: `policies/<app>.txt`, `annotation/rw_<N>.jsonl` (one JSON object per sentence, in
//! document order, with `text` and `label`), `label_explanation.json` (the 13 label names).
//! Annotation files are numbered independently of the policies, so [`load_capp`] matches them
//! by content: each sentence's first [`KEY_CHARS`] chars (whitespace and ASCII commas dropped,
//! since the annotation replaced some spaces by `,`) vote for the policies containing them.

mod agreement;

pub use agreement::{align_sentences, boundary_agreement, Boundaries};

use crate::input::{self, InputError};
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// Chars of a sentence used as its matching key.
pub const KEY_CHARS: usize = 12;

/// Errors while loading the corpus.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{path}:{line}: {reason}")]
    Format {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// One annotated sentence, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappSentence {
    /// The sentence as the annotators wrote it (some spaces of the policy appear as `,`).
    pub text: String,
    /// Its labels, restricted to the 13 names of `label_explanation.json` (stray sentence
    /// strings that some rows carry in `label` are dropped).
    pub labels: Vec<String>,
}

/// One policy of the corpus with its annotation (if an annotation file matches it).
#[derive(Debug, Clone)]
pub struct CappPolicy {
    /// App name: the file stem of `policies/<app>.txt`.
    pub name: String,
    /// Path of the policy text.
    pub path: PathBuf,
    /// Decoded policy text (as [`input::read_path`] gives it to the segmenter).
    pub text: String,
    /// The best-matching annotation file, whose sentences are in `sentences`.
    pub annotation: Option<PathBuf>,
    /// Further annotation files matching the same policy (the corpus annotates a few twice).
    pub duplicate_annotations: Vec<PathBuf>,
    /// Annotated sentences of `annotation`, in order; empty when none matched.
    pub sentences: Vec<CappSentence>,
}

/// The 13 label names of `label_explanation.json`, in id order.
pub fn known_labels(dir: &Path) -> Result<Vec<String>, CorpusError> {
    let path = dir.join("label_explanation.json");
    let raw = read_to_string(&path)?;
    let value: serde_json::Value = serde_json::from_str(raw.trim_start_matches('\u{feff}'))
        .map_err(|e| format_err(&path, e.line(), e.to_string()))?;
    let names: Option<Vec<String>> = value.as_array().map(|a| {
        a.iter()
            .filter_map(|v| v.get("label_chinese_name")?.as_str().map(str::to_owned))
            .collect()
    });
    names
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format_err(&path, 1, "no label_chinese_name entries".into()))
}

/// Loads every policy of `dir/policies` (sorted by name) with its matched annotation.
/// Annotation files that match no policy (the corpus has a few) are skipped.
pub fn load_capp(dir: &Path) -> Result<Vec<CappPolicy>, CorpusError> {
    let labels: HashSet<String> = known_labels(dir)?.into_iter().collect();
    let mut policies = Vec::new();
    for path in sorted_files(&dir.join("policies"), "txt")? {
        let text = input::read_path(&path)?.text;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        policies.push(CappPolicy {
            name,
            path,
            text,
            annotation: None,
            duplicate_annotations: Vec::new(),
            sentences: Vec::new(),
        });
    }
    let mut annotations = Vec::new();
    for path in sorted_files(&dir.join("annotation"), "jsonl")? {
        let sentences = read_annotation(&path, &labels)?;
        annotations.push((path, sentences));
    }

    let votes = vote(&policies, &annotations);
    // (policy, votes, annotation index) for every annotation with a majority match.
    let mut matches: Vec<(usize, usize, usize)> = Vec::new();
    for (a, row) in votes.iter().enumerate() {
        let keys = sentence_keys(&annotations[a].1).len();
        if let Some((p, &v)) = row
            .iter()
            .enumerate()
            .max_by_key(|&(p, v)| (*v, usize::MAX - p))
        {
            if v > 0 && v * 2 >= keys {
                matches.push((p, v, a));
            }
        }
    }
    matches.sort_by_key(|&(p, v, a)| (p, usize::MAX - v, a));
    let mut annotations: Vec<Option<(PathBuf, Vec<CappSentence>)>> =
        annotations.into_iter().map(Some).collect();
    for (p, _, a) in matches {
        let (path, sentences) = annotations[a].take().expect("each annotation matched once");
        let policy = &mut policies[p];
        if policy.annotation.is_none() {
            policy.annotation = Some(path);
            policy.sentences = sentences;
        } else {
            policy.duplicate_annotations.push(path);
        }
    }
    Ok(policies)
}

/// Files with extension `ext` directly in `dir`, sorted by the number in their name (then name).
fn sorted_files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, CorpusError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CorpusError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| CorpusError::Io {
                path: dir.to_owned(),
                source,
            })?
            .path();
        if path.extension().is_some_and(|e| e == ext) {
            files.push(path);
        }
    }
    let number = |p: &PathBuf| -> u64 {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        name.chars()
            .filter(char::is_ascii_digit)
            .fold(0u64, |v, c| {
                v.saturating_mul(10).saturating_add(c as u64 - '0' as u64)
            })
    };
    files.sort_by(|a, b| number(a).cmp(&number(b)).then_with(|| a.cmp(b)));
    Ok(files)
}

fn read_to_string(path: &Path) -> Result<String, CorpusError> {
    std::fs::read_to_string(path).map_err(|source| CorpusError::Io {
        path: path.to_owned(),
        source,
    })
}

fn format_err(path: &Path, line: usize, reason: String) -> CorpusError {
    CorpusError::Format {
        path: path.to_owned(),
        line,
        reason,
    }
}

fn read_annotation(
    path: &Path,
    labels: &HashSet<String>,
) -> Result<Vec<CappSentence>, CorpusError> {
    #[derive(serde::Deserialize)]
    struct Row {
        text: String,
        #[serde(default)]
        label: Vec<String>,
    }
    let raw = read_to_string(path)?;
    let mut out = Vec::new();
    for (i, line) in raw.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let row: Row =
            serde_json::from_str(line).map_err(|e| format_err(path, i + 1, e.to_string()))?;
        let mut kept: Vec<String> = Vec::new();
        for l in row.label {
            if labels.contains(&l) && !kept.contains(&l) {
                kept.push(l);
            }
        }
        out.push(CappSentence {
            text: row.text,
            labels: kept,
        });
    }
    Ok(out)
}

/// Whether a char is ignored when comparing annotation and policy text.
pub(crate) fn ignored(c: char) -> bool {
    c.is_whitespace() || c == ',' || matches!(c, '\u{200b}'..='\u{200d}' | '\u{feff}')
}

fn hash_chars(chars: &[char]) -> u64 {
    let mut h = DefaultHasher::new();
    chars.hash(&mut h);
    h.finish()
}

/// Distinct matching keys of an annotation's sentences.
fn sentence_keys(sentences: &[CappSentence]) -> HashSet<u64> {
    sentences
        .iter()
        .filter_map(|s| {
            let key: Vec<char> = s
                .text
                .chars()
                .filter(|&c| !ignored(c))
                .take(KEY_CHARS)
                .collect();
            (key.len() == KEY_CHARS).then(|| hash_chars(&key))
        })
        .collect()
}

/// `votes[annotation][policy]`: how many of the annotation's keys occur in the policy.
fn vote(policies: &[CappPolicy], annotations: &[(PathBuf, Vec<CappSentence>)]) -> Vec<Vec<usize>> {
    let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
    for (a, (_, sentences)) in annotations.iter().enumerate() {
        for key in sentence_keys(sentences) {
            index.entry(key).or_default().push(a);
        }
    }
    let mut votes = vec![vec![0usize; policies.len()]; annotations.len()];
    for (p, policy) in policies.iter().enumerate() {
        let norm: Vec<char> = policy.text.chars().filter(|&c| !ignored(c)).collect();
        let mut seen = HashSet::new();
        for window in norm.windows(KEY_CHARS) {
            let key = hash_chars(window);
            if let Some(anns) = index.get(&key) {
                if seen.insert(key) {
                    for &a in anns {
                        votes[a][p] += 1;
                    }
                }
            }
        }
    }
    votes
}
