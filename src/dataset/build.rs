//! Building the dataset from the shared corpora, deterministically.
//!
//! - Seeds: every unit of `privclause segment`, labeled by hand (`hand-pass1@guideline-v1`, …).
//! - CAPP-130: every unit the annotators' sentences cover; `collection`, `sharing` and `rights`
//!   projected from their sentence labels (`capp130`), `sensitive` and `exemptions` from the
//!   labeling functions (`rules@v1`), and all five by hand for the hand-checked sample.
//! - Exact-duplicate texts are dropped across policies (first occurrence kept, seeds first),
//!   then policies are split train/dev/test by a hash of their id.

use super::hand::HandLabels;
use super::record::{DatasetRecord, Split};
use crate::corpus::{align_sentences, load_capp, CappPolicy, CorpusError};
use crate::input::{collect_files, InputError, DEFAULT_MAX_FILE_SIZE};
use crate::labels::{Label, LabelSet};
use crate::rules::{rule_labels, RULES_VERSION};
use crate::segment::{context_of, segment, segment_file, SegmentOptions, Unit};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Version of the dataset this builder produces.
pub const DATA_VERSION: &str = "privclause-data-v3";
/// Guideline the dataset follows: v2 (the v1 labels that its section 7.3 does not list stay valid
/// under v2; the units it lists were relabeled by hand pass 3).
pub const GUIDELINE_VERSION: &str = "guideline-v2";
/// Prefix of every hand label's `label_source` (`hand-pass1@…`, `hand-pass2@…`,
/// `hand-adjudicated@…`).
pub const HAND_SOURCE_PREFIX: &str = "hand-";
/// `label_source` of labels mapped from CAPP-130's own annotation.
pub const CAPP_SOURCE: &str = "capp130";

/// Why the dataset could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Dataset(#[from] super::record::DatasetError),
}

/// Counts of what the build kept and dropped.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct BuildReport {
    pub seed_units: usize,
    /// Seed units no hand annotation covers (kept out of the dataset).
    pub seed_units_unannotated: usize,
    pub capp_units: usize,
    /// CAPP units no annotated sentence overlaps (kept out).
    pub capp_units_uncovered: usize,
    /// CAPP annotated sentences not found in their policy text.
    pub capp_sentences_unaligned: usize,
    /// CAPP units labeled by hand.
    pub capp_units_hand: usize,
    /// Hand labels whose (policy, text) matched no unit.
    pub hand_labels_unmatched: usize,
    /// Units whose annotation passes disagree with no adjudicated decision (the latest pass
    /// applies; should be 0).
    pub hand_disagreements_unresolved: usize,
    pub duplicates_dropped: usize,
}

/// CAPP-130 label names mapped to privclause labels (GUIDELINES.md section 5).
fn capp_label(name: &str, text: &str) -> Option<Label> {
    match name {
        "数据收集" | "使用" | "权限获取" => Some(Label::Collection),
        "共享、委托、转让、公开（披露）" => Some(Label::Sharing),
        "数据、权限管理" => Some(Label::Rights),
        "联系方式"
            if ["投诉", "举报", "申诉", "诉讼", "起诉"]
                .iter()
                .any(|k| text.contains(k)) =>
        {
            Some(Label::Rights)
        }
        _ => None,
    }
}

/// Split of a policy: policies of a corpus ranked by the SHA-256 of their id; the first tenth
/// (at least one) is test, the next tenth dev, the rest train.
fn assign_splits(ids: &[String]) -> BTreeMap<String, Split> {
    let mut ranked: Vec<(String, &String)> = ids
        .iter()
        .map(|id| {
            let hash = Sha256::digest(id.as_bytes());
            (hash.iter().map(|b| format!("{b:02x}")).collect(), id)
        })
        .collect();
    ranked.sort();
    let tenth = (ids.len() / 10).max(1);
    ranked
        .into_iter()
        .enumerate()
        .map(|(rank, (_, id))| {
            let split = match rank {
                r if r < tenth => Split::Test,
                r if r < 2 * tenth => Split::Dev,
                _ => Split::Train,
            };
            (id.clone(), split)
        })
        .collect()
}

fn record(
    policy: &str,
    unit: &Unit,
    labels: LabelSet,
    sources: BTreeMap<Label, String>,
) -> DatasetRecord {
    DatasetRecord {
        policy: policy.to_string(),
        unit: unit.index,
        text: unit.text.clone(),
        context: context_of(unit.section(), unit.lead()),
        labels,
        label_source: sources,
        split: Split::Train,
        weak_labels: None,
    }
}

fn all_sources(source: &str) -> BTreeMap<Label, String> {
    Label::ALL
        .iter()
        .map(|l| (*l, source.to_string()))
        .collect()
}

/// Records of the seed policies in `seeds_dir` (ids `seeds/<file stem>`).
fn seed_records(
    seeds_dir: &Path,
    hand: &HandLabels,
    report: &mut BuildReport,
) -> Result<Vec<DatasetRecord>, BuildError> {
    let mut records = Vec::new();
    for path in collect_files(&[seeds_dir.to_path_buf()], false).files {
        let path = path?;
        // Policies are the .txt files (anything else in the directory is not a policy).
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let policy = format!(
            "seeds/{}",
            path.file_stem().unwrap_or_default().to_string_lossy()
        );
        let opts = SegmentOptions::default();
        for unit in segment_file(&path, &policy, &opts, DEFAULT_MAX_FILE_SIZE)? {
            report.seed_units += 1;
            match hand.get(&policy, unit.index, &unit.text) {
                Some((labels, origin)) => records.push(record(
                    &policy,
                    &unit,
                    labels,
                    all_sources(&origin.label_source()),
                )),
                None => report.seed_units_unannotated += 1,
            }
        }
    }
    Ok(records)
}

/// Records of one CAPP-130 policy (id `capp130/<app>`).
fn capp_policy_records(
    policy: &CappPolicy,
    hand: &HandLabels,
    report: &mut BuildReport,
) -> Vec<DatasetRecord> {
    let id = format!("capp130/{}", policy.name);
    let gold: Vec<&str> = policy.sentences.iter().map(|s| s.text.as_str()).collect();
    let spans = align_sentences(&policy.text, &gold);
    report.capp_sentences_unaligned += spans.iter().filter(|s| s.is_none()).count();
    let aligned: Vec<((usize, usize), &crate::corpus::CappSentence)> = spans
        .into_iter()
        .zip(&policy.sentences)
        .filter_map(|(span, s)| span.map(|span| (span, s)))
        .collect();
    let mut records = Vec::new();
    for unit in segment(&id, &policy.text, &SegmentOptions::default()) {
        report.capp_units += 1;
        let unit_len = (unit.end - unit.start).max(1);
        // Sentences covering at least half of the unit, or half of themselves inside it.
        let overlapping: Vec<&crate::corpus::CappSentence> = aligned
            .iter()
            .filter(|((s, e), _)| {
                let overlap = unit.end.min(*e).saturating_sub(unit.start.max(*s));
                overlap * 2 >= unit_len || overlap * 2 >= (e - s).max(1)
            })
            .map(|(_, sentence)| *sentence)
            .collect();
        if overlapping.is_empty() {
            report.capp_units_uncovered += 1;
            continue;
        }
        let mut labels: LabelSet = overlapping
            .iter()
            .flat_map(|s| s.labels.iter().filter_map(|name| capp_label(name, &s.text)))
            .collect();
        let context = context_of(unit.section(), unit.lead());
        let rules = rule_labels(&unit.text, &context);
        if let Some((hand_labels, origin)) = hand.get(&id, unit.index, &unit.text) {
            report.capp_units_hand += 1;
            let mut weak = labels;
            for label in [Label::Sensitive, Label::Exemptions] {
                if rules.contains(label) {
                    weak.insert(label);
                }
            }
            let mut r = record(&id, &unit, hand_labels, all_sources(&origin.label_source()));
            r.weak_labels = Some(weak);
            records.push(r);
            continue;
        }
        let mut sources = BTreeMap::new();
        for label in [Label::Collection, Label::Sharing, Label::Rights] {
            sources.insert(label, CAPP_SOURCE.to_string());
        }
        for label in [Label::Sensitive, Label::Exemptions] {
            sources.insert(label, RULES_VERSION.to_string());
            if rules.contains(label) {
                labels.insert(label);
            }
        }
        records.push(record(&id, &unit, labels, sources));
    }
    records
}

/// Text used to find exact duplicates: the unit with whitespace removed.
fn duplicate_key(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Builds the dataset from the seed policies, the CAPP-130 directory and the hand annotations.
pub fn build_dataset(
    seeds_dir: &Path,
    capp_dir: &Path,
    hand: &HandLabels,
) -> Result<(Vec<DatasetRecord>, BuildReport), BuildError> {
    let mut report = BuildReport::default();
    let mut records = seed_records(seeds_dir, hand, &mut report)?;
    for policy in load_capp(capp_dir)? {
        if policy.sentences.is_empty() {
            continue;
        }
        records.extend(capp_policy_records(&policy, hand, &mut report));
    }
    report.hand_labels_unmatched = hand.unmatched(&records);
    report.hand_disagreements_unresolved = hand.unresolved();

    let mut seen = HashSet::new();
    let before = records.len();
    records.retain(|r| seen.insert(duplicate_key(&r.text)));
    report.duplicates_dropped = before - records.len();

    let mut splits = BTreeMap::new();
    for corpus in ["seeds", "capp130"] {
        let mut ids: Vec<String> = records
            .iter()
            .filter(|r| r.corpus() == corpus)
            .map(|r| r.policy.clone())
            .collect();
        ids.dedup();
        splits.extend(assign_splits(&ids));
    }
    for r in &mut records {
        r.split = splits[&r.policy];
    }
    Ok((records, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_by_policy_and_stable() {
        let ids: Vec<String> = (0..30).map(|i| format!("capp130/app{i}")).collect();
        let splits = assign_splits(&ids);
        let count = |s: Split| splits.values().filter(|&&v| v == s).count();
        assert_eq!(
            (count(Split::Test), count(Split::Dev), count(Split::Train)),
            (3, 3, 24)
        );
        let mut reversed = ids.clone();
        reversed.reverse();
        assert_eq!(
            assign_splits(&reversed),
            splits,
            "order of ids does not matter"
        );
    }

    #[test]
    fn capp_labels_map_as_the_guideline_says() {
        assert_eq!(capp_label("使用", ""), Some(Label::Collection));
        assert_eq!(capp_label("权限获取", ""), Some(Label::Collection));
        assert_eq!(
            capp_label("共享、委托、转让、公开（披露）", ""),
            Some(Label::Sharing)
        );
        assert_eq!(capp_label("数据、权限管理", ""), Some(Label::Rights));
        assert_eq!(
            capp_label("联系方式", "您可以向网信部门投诉"),
            Some(Label::Rights)
        );
        assert_eq!(capp_label("联系方式", "客服电话：95188"), None);
        assert_eq!(capp_label("安全措施", ""), None);
    }
}
