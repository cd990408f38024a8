//! The five clause labels and small sets of them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One of the five labels a unit can carry (a unit with none is "other").
/// Definitions: `datasets/GUIDELINES.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Collection,
    Sharing,
    Sensitive,
    Exemptions,
    Rights,
}

impl Label {
    /// All labels in their canonical order (the order of model outputs and score columns).
    pub const ALL: [Label; 5] = [
        Label::Collection,
        Label::Sharing,
        Label::Sensitive,
        Label::Exemptions,
        Label::Rights,
    ];

    /// The label's name as written in data files and model configs.
    pub fn name(self) -> &'static str {
        match self {
            Label::Collection => "collection",
            Label::Sharing => "sharing",
            Label::Sensitive => "sensitive",
            Label::Exemptions => "exemptions",
            Label::Rights => "rights",
        }
    }

    /// Position of the label in [`Label::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A label name that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown label {0:?} (expected one of collection, sharing, sensitive, exemptions, rights)")]
pub struct UnknownLabel(pub String);

impl FromStr for Label {
    type Err = UnknownLabel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Label::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| UnknownLabel(s.to_string()))
    }
}

/// A set of labels, stored as a bit mask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LabelSet(u8);

impl LabelSet {
    /// The empty set ("other").
    pub const EMPTY: LabelSet = LabelSet(0);

    pub fn insert(&mut self, label: Label) {
        self.0 |= 1 << label.index();
    }

    pub fn remove(&mut self, label: Label) {
        self.0 &= !(1 << label.index());
    }

    pub fn contains(self, label: Label) -> bool {
        self.0 & (1 << label.index()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The labels in the set, in canonical order.
    pub fn iter(self) -> impl Iterator<Item = Label> {
        Label::ALL.into_iter().filter(move |l| self.contains(*l))
    }
}

impl FromIterator<Label> for LabelSet {
    fn from_iter<I: IntoIterator<Item = Label>>(iter: I) -> Self {
        let mut set = LabelSet::EMPTY;
        for label in iter {
            set.insert(label);
        }
        set
    }
}

impl Serialize for LabelSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for LabelSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let labels = Vec::<Label>::deserialize(d)?;
        Ok(labels.into_iter().collect())
    }
}

/// The five scores of a unit, by label name (rounded to 4 decimals when built from a model).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub collection: f32,
    pub sharing: f32,
    pub sensitive: f32,
    pub exemptions: f32,
    pub rights: f32,
}

impl Scores {
    /// From scores in [`Label::ALL`] order, rounded to 4 decimals.
    pub fn rounded(raw: [f32; 5]) -> Self {
        let r = |x: f32| (x * 1e4).round() / 1e4;
        Self {
            collection: r(raw[0]),
            sharing: r(raw[1]),
            sensitive: r(raw[2]),
            exemptions: r(raw[3]),
            rights: r(raw[4]),
        }
    }

    /// The score of one label.
    pub fn get(&self, label: Label) -> f32 {
        match label {
            Label::Collection => self.collection,
            Label::Sharing => self.sharing,
            Label::Sensitive => self.sensitive,
            Label::Exemptions => self.exemptions,
            Label::Rights => self.rights,
        }
    }

    /// Labels whose score reaches their threshold.
    pub fn labels(&self, threshold: impl Fn(Label) -> f32) -> LabelSet {
        Label::ALL
            .into_iter()
            .filter(|&l| self.get(l) >= threshold(l))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_sets_serialise_in_canonical_order() {
        for label in Label::ALL {
            assert_eq!(label.name().parse::<Label>().unwrap(), label);
        }
        assert!("other".parse::<Label>().is_err());
        let set: LabelSet = [Label::Rights, Label::Collection].into_iter().collect();
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            r#"["collection","rights"]"#
        );
        let back: LabelSet = serde_json::from_str(r#"["rights","collection"]"#).unwrap();
        assert_eq!(back, set);
    }
}
