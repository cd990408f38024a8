//! Flat (non-score) columns of a record, shared by the CSV and Parquet writers.

use super::LabeledUnit;

/// Names of the flat columns, in output order.
pub const SCALAR_COLUMNS: [&str; 11] = [
    "doc", "index", "id", "start", "end", "kind", "section", "lead", "text", "labels", "windows",
];

/// The flat columns of one record as text; list columns joined with `|`.
pub fn scalar_cells(record: &LabeledUnit) -> Vec<String> {
    let opt = |v: Option<usize>| v.map(|v| v.to_string()).unwrap_or_default();
    vec![
        record.doc.clone(),
        record.index.to_string(),
        record.id.clone().unwrap_or_default(),
        opt(record.start),
        opt(record.end),
        record.kind.map(kind_name).unwrap_or_default().to_string(),
        record.section.join("|"),
        record.lead.clone().unwrap_or_default(),
        record.text.clone(),
        record
            .labels
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join("|"),
        record.windows.to_string(),
    ]
}

/// The serialised name of a unit kind.
pub fn kind_name(kind: crate::segment::UnitKind) -> &'static str {
    use crate::segment::UnitKind::*;
    match kind {
        Heading => "heading",
        Sentence => "sentence",
        ListItem => "list_item",
        TableRow => "table_row",
    }
}
