use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What kind of text a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Heading,
    Sentence,
    ListItem,
    TableRow,
}

/// Where a unit sits: its document, heading path and list lead. One `Place` is shared by all
/// the units of a list or section run, so a unit costs one reference count, not three.
#[derive(Debug, PartialEq)]
pub struct Place {
    /// Path or id of the document the unit comes from.
    pub doc: Arc<str>,
    /// Heading path above the unit, outermost first.
    pub section: Arc<[String]>,
    /// For list items and table rows: the sentence introducing the list.
    pub lead: Option<Arc<str>>,
}

/// One classifiable piece of a policy, with its place in the decoded text.
///
/// Invariant: `text == decoded.chars().skip(start).take(end - start)`
/// (offsets count Unicode scalar values, not bytes). Serialized flat, as
/// `{doc, index, start, end, text, kind, section, lead?}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Document, heading path and lead, shared with the neighbouring units.
    pub place: Arc<Place>,
    /// Position of the unit within its document, from 0.
    pub index: usize,
    /// Char offset of the first char.
    pub start: usize,
    /// Char offset one past the last char.
    pub end: usize,
    pub text: String,
    pub kind: UnitKind,
}

impl Unit {
    /// Path or id of the document the unit comes from.
    pub fn doc(&self) -> &str {
        &self.place.doc
    }

    /// Heading path above the unit, outermost first.
    pub fn section(&self) -> &[String] {
        &self.place.section
    }

    /// For list items and table rows: the sentence introducing the list.
    pub fn lead(&self) -> Option<&str> {
        self.place.lead.as_deref()
    }
}

/// The serialized shape of a [`Unit`] (flat, borrowed).
#[derive(Serialize)]
struct UnitRef<'a> {
    doc: &'a str,
    index: usize,
    start: usize,
    end: usize,
    text: &'a str,
    kind: UnitKind,
    section: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    lead: Option<&'a str>,
}

/// The deserialized shape of a [`Unit`] (flat, owned).
#[derive(Deserialize)]
struct UnitOwned {
    doc: Arc<str>,
    index: usize,
    start: usize,
    end: usize,
    text: String,
    kind: UnitKind,
    section: Arc<[String]>,
    #[serde(default)]
    lead: Option<Arc<str>>,
}

impl Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        UnitRef {
            doc: self.doc(),
            index: self.index,
            start: self.start,
            end: self.end,
            text: &self.text,
            kind: self.kind,
            section: self.section(),
            lead: self.lead(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let u = UnitOwned::deserialize(d)?;
        Ok(Unit {
            place: Arc::new(Place {
                doc: u.doc,
                section: u.section,
                lead: u.lead,
            }),
            index: u.index,
            start: u.start,
            end: u.end,
            text: u.text,
            kind: u.kind,
        })
    }
}

/// The context string of a unit: its heading path, then the lead of its list, joined by `\n`
/// (what the model reads before the unit, and what the keyword rules parse).
pub fn context_of(section: &[String], lead: Option<&str>) -> String {
    let mut parts: Vec<&str> = section.iter().map(String::as_str).collect();
    if let Some(lead) = lead {
        parts.push(lead);
    }
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_stays_at_one_cache_line() {
        // A document of millions of tiny lines becomes millions of units: their size is most of
        // the segmenter's memory traffic (see benches/segment.rs, tiny lines).
        assert!(std::mem::size_of::<Unit>() <= 64);
    }
}
