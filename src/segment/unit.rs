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

/// One classifiable piece of a policy, with its place in the decoded text.
///
/// Invariant: `text == decoded.chars().skip(start).take(end - start)`
/// (offsets count Unicode scalar values, not bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// Path or id of the document the unit comes from (shared by its units).
    pub doc: Arc<str>,
    /// Position of the unit within its document, from 0.
    pub index: usize,
    /// Char offset of the first char.
    pub start: usize,
    /// Char offset one past the last char.
    pub end: usize,
    pub text: String,
    pub kind: UnitKind,
    /// Heading path above the unit, outermost first (shared by the units of a section).
    pub section: Arc<[String]>,
    /// For list items and table rows: the sentence introducing the list (shared by its items).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lead: Option<Arc<str>>,
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
