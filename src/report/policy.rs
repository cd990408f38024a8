//! Records grouped into policies (one per `doc`), in reading order, with their label counts
//! and the file name of their page.

use crate::labels::Label;
use crate::output::LabeledUnit;
use std::collections::BTreeMap;

/// One policy: its units in `index` order, each index once.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The records' `doc` (the labeled file's path).
    pub doc: String,
    pub units: Vec<LabeledUnit>,
    /// The page's file name, unique within a report.
    pub page: String,
}

impl Policy {
    /// A short name: the last component of `doc`.
    pub fn name(&self) -> &str {
        short_name(&self.doc)
    }
}

/// Units per label (a unit with two labels counts for both), units with none, and all units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelCounts {
    pub per_label: [usize; 5],
    pub other: usize,
    pub total: usize,
}

impl LabelCounts {
    /// The counts of `units`.
    pub fn of(units: &[LabeledUnit]) -> Self {
        let mut counts = Self::default();
        for unit in units {
            counts.add(unit);
        }
        counts
    }

    fn add(&mut self, unit: &LabeledUnit) {
        self.total += 1;
        if unit.labels.is_empty() {
            self.other += 1;
        }
        for label in unit.labels.iter() {
            self.per_label[label.index()] += 1;
        }
    }

    /// The count of one label.
    pub fn get(&self, label: Label) -> usize {
        self.per_label[label.index()]
    }

    /// Adds another policy's counts (corpus totals).
    pub fn merge(&mut self, other: &LabelCounts) {
        for (mine, theirs) in self.per_label.iter_mut().zip(other.per_label) {
            *mine += theirs;
        }
        self.other += other.other;
        self.total += other.total;
    }
}

/// The last path component of a `doc` (either separator).
pub fn short_name(doc: &str) -> &str {
    doc.rsplit(['/', '\\'])
        .find(|part| !part.is_empty())
        .unwrap_or(doc)
}

/// A page file name: a number (unique, in doc order) and the policy's short name with anything
/// but letters, digits, `-`, `_` and `.` replaced.
fn page_name(number: usize, doc: &str) -> String {
    let name: String = short_name(doc)
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    format!("{number:03}-{name}.html")
}

/// Records grouped into policies sorted by `doc`; each policy's units sorted by `index`. A
/// repeated index keeps its first record; each policy that had repeats gives a warning.
pub fn group_policies(records: Vec<LabeledUnit>) -> (Vec<Policy>, Vec<String>) {
    let mut by_doc: BTreeMap<String, Vec<LabeledUnit>> = BTreeMap::new();
    for record in records {
        by_doc.entry(record.doc.clone()).or_default().push(record);
    }
    let mut warnings = Vec::new();
    let policies = by_doc
        .into_iter()
        .enumerate()
        .map(|(number, (doc, mut units))| {
            units.sort_by_key(|u| u.index);
            let before = units.len();
            units.dedup_by_key(|u| u.index);
            if units.len() < before {
                warnings.push(format!(
                    "{doc}: {} repeated unit(s) ignored (same index given twice)",
                    before - units.len()
                ));
            }
            Policy {
                page: page_name(number + 1, &doc),
                doc,
                units,
            }
        })
        .collect();
    (policies, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::labeled_unit;

    fn record(doc: &str, index: usize, labels: &[Label]) -> LabeledUnit {
        labeled_unit(doc, index, &format!("{doc} {index}"), labels)
    }

    #[test]
    fn records_group_by_doc_in_index_order_without_repeats() {
        let records = vec![
            record("dir/b.txt", 1, &[]),
            record("a/QQ 浏览器.txt", 0, &[Label::Sharing]),
            record("dir/b.txt", 0, &[Label::Collection, Label::Rights]),
            record("dir/b.txt", 1, &[Label::Sharing]),
        ];
        let (policies, warnings) = group_policies(records);
        let docs: Vec<&str> = policies.iter().map(|p| p.doc.as_str()).collect();
        assert_eq!(docs, ["a/QQ 浏览器.txt", "dir/b.txt"]);
        assert_eq!(policies[0].page, "001-QQ_浏览器.txt.html");
        assert_eq!(policies[1].name(), "b.txt");
        let b = &policies[1];
        assert_eq!(b.units.iter().map(|u| u.index).collect::<Vec<_>>(), [0, 1]);
        assert!(
            b.units[1].labels.is_empty(),
            "the first record of index 1 stays"
        );
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("dir/b.txt"), "{warnings:?}");

        let counts = LabelCounts::of(&b.units);
        assert_eq!(counts.get(Label::Collection), 1);
        assert_eq!(counts.get(Label::Rights), 1);
        assert_eq!((counts.other, counts.total), (1, 2));
    }

    #[test]
    fn short_names_take_the_last_component() {
        assert_eq!(short_name("../shared/policies/QQ.txt"), "QQ.txt");
        assert_eq!(short_name("C:\\p\\a.html"), "a.html");
        assert_eq!(short_name("-"), "-");
        assert_eq!(short_name("dir/"), "dir");
    }
}
