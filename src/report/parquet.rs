//! Reading back the Parquet files `privclause label --format parquet` writes (the schema of
//! `src/output/parquet.rs`): one [`LabeledUnit`] per row.

use super::read::ReadError;
use crate::labels::{Label, LabelSet, Scores};
use crate::output::LabeledUnit;
use crate::segment::UnitKind;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int64Type, UInt64Type};
use arrow_array::{
    Array, Float32Array, Int64Array, ListArray, RecordBatch, StringArray, UInt64Array,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;

/// Every row of a Parquet file of labeled records.
pub fn read_parquet(path: &Path) -> Result<Vec<LabeledUnit>, ReadError> {
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let invalid = |message: String| ReadError::Parquet {
        path: path.to_owned(),
        message,
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|builder| builder.build())
        .map_err(|e| invalid(e.to_string()))?;
    let mut records = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| invalid(e.to_string()))?;
        append_rows(&batch, &mut records).map_err(invalid)?;
    }
    Ok(records)
}

/// An integer column (`index`, `start`, `end`): unsigned in files of earlier versions, signed
/// in later ones.
#[derive(Clone, Copy)]
enum Integers<'a> {
    Unsigned(&'a UInt64Array),
    Signed(&'a Int64Array),
}

impl Integers<'_> {
    fn of(array: &dyn Array) -> Option<Integers<'_>> {
        array
            .as_primitive_opt::<UInt64Type>()
            .map(Integers::Unsigned)
            .or_else(|| array.as_primitive_opt::<Int64Type>().map(Integers::Signed))
    }

    /// The value of `row` (`None` when null); a negative value is an error.
    fn get(self, row: usize) -> Result<Option<usize>, String> {
        let value = match self {
            Integers::Unsigned(a) if a.is_valid(row) => Some(a.value(row)),
            Integers::Signed(a) if a.is_valid(row) => u64::try_from(a.value(row)).ok(),
            _ => return Ok(None),
        };
        value
            .and_then(|v| usize::try_from(v).ok())
            .map(Some)
            .ok_or_else(|| format!("row {row}: an offset or index out of range"))
    }
}

/// The columns of a batch, typed as the label writer writes them.
struct Columns<'a> {
    doc: &'a StringArray,
    index: Integers<'a>,
    id: Option<&'a StringArray>,
    start: Option<Integers<'a>>,
    end: Option<Integers<'a>>,
    kind: Option<&'a StringArray>,
    section: Option<&'a ListArray>,
    lead: Option<&'a StringArray>,
    text: &'a StringArray,
    labels: &'a ListArray,
    windows: Option<Integers<'a>>,
    scores: Vec<&'a Float32Array>,
    model: Option<&'a StringArray>,
}

fn column<'a, T>(
    batch: &'a RecordBatch,
    name: &str,
    cast: impl Fn(&'a dyn Array) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, String> {
    match batch.column_by_name(name) {
        None => Ok(None),
        Some(array) => cast(array.as_ref())
            .map(Some)
            .ok_or_else(|| format!("column {name} is not {expected}")),
    }
}

fn required<T>(column: Result<Option<T>, String>, name: &str) -> Result<T, String> {
    column?.ok_or_else(|| format!("no column {name}"))
}

impl<'a> Columns<'a> {
    fn of(batch: &'a RecordBatch) -> Result<Self, String> {
        let strings = |name| column(batch, name, |a| a.as_string_opt::<i32>(), "strings");
        let integers = |name| column(batch, name, Integers::of, "integers");
        let lists = |name| column(batch, name, |a| a.as_list_opt::<i32>(), "lists");
        let scores = Label::ALL
            .iter()
            .map(|label| {
                let name = format!("score_{label}");
                let scores = column(
                    batch,
                    &name,
                    |a| a.as_primitive_opt::<Float32Type>(),
                    "floats",
                );
                required(scores, &name)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            doc: required(strings("doc"), "doc")?,
            index: required(integers("index"), "index")?,
            id: strings("id")?,
            start: integers("start")?,
            end: integers("end")?,
            kind: strings("kind")?,
            section: lists("section")?,
            lead: strings("lead")?,
            text: required(strings("text"), "text")?,
            labels: required(lists("labels"), "labels")?,
            windows: integers("windows")?,
            scores,
            model: strings("model")?,
        })
    }
}

fn optional_string(column: Option<&StringArray>, row: usize) -> Option<String> {
    column
        .filter(|c| c.is_valid(row))
        .map(|c| c.value(row).to_string())
}

fn optional_usize(column: Option<Integers>, row: usize) -> Result<Option<usize>, String> {
    column.map_or(Ok(None), |c| c.get(row))
}

/// The strings of one list cell (a null list is empty).
fn string_list(column: &ListArray, row: usize) -> Result<Vec<String>, String> {
    if column.is_null(row) {
        return Ok(Vec::new());
    }
    let values = column.value(row);
    let strings = values
        .as_string_opt::<i32>()
        .ok_or("a list column does not hold strings")?;
    Ok(strings.iter().flatten().map(str::to_string).collect())
}

fn parse_kind(name: &str) -> Result<UnitKind, String> {
    match name {
        "heading" => Ok(UnitKind::Heading),
        "sentence" => Ok(UnitKind::Sentence),
        "list_item" => Ok(UnitKind::ListItem),
        "table_row" => Ok(UnitKind::TableRow),
        other => Err(format!("unknown unit kind {other:?}")),
    }
}

fn append_rows(batch: &RecordBatch, records: &mut Vec<LabeledUnit>) -> Result<(), String> {
    let columns = Columns::of(batch)?;
    for row in 0..batch.num_rows() {
        let labels = string_list(columns.labels, row)?
            .iter()
            .map(|name| name.parse::<Label>().map_err(|e| e.to_string()))
            .collect::<Result<LabelSet, _>>()?;
        let mut raw = [0f32; 5];
        for (score, column) in raw.iter_mut().zip(&columns.scores) {
            *score = column.value(row);
        }
        let kind = optional_string(columns.kind, row)
            .map(|k| parse_kind(&k))
            .transpose()?;
        records.push(LabeledUnit {
            doc: columns.doc.value(row).to_string(),
            index: columns
                .index
                .get(row)?
                .ok_or_else(|| format!("row {row}: no index"))?,
            id: optional_string(columns.id, row),
            start: optional_usize(columns.start, row)?,
            end: optional_usize(columns.end, row)?,
            kind,
            section: match columns.section {
                Some(section) => string_list(section, row)?,
                None => Vec::new(),
            },
            lead: optional_string(columns.lead, row),
            text: columns.text.value(row).to_string(),
            labels,
            windows: optional_usize(columns.windows, row)?.unwrap_or(1),
            scores: Scores {
                collection: raw[0],
                sharing: raw[1],
                sensitive: raw[2],
                exemptions: raw[3],
                rights: raw[4],
            },
            model: optional_string(columns.model, row).unwrap_or_default(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{write_records, Format};

    fn record(index: usize, kind: Option<UnitKind>) -> LabeledUnit {
        let labels = [Label::Collection, Label::Rights];
        LabeledUnit {
            start: Some(index * 10),
            end: Some(index * 10 + 5),
            kind,
            section: vec!["一、收集".into()],
            scores: Scores::rounded([0.9, 0.1, 0.2, 0.3, 0.6]),
            model: "m@1".into(),
            ..crate::fixtures::labeled_unit("a.txt", index, &format!("第{index}句"), &labels)
        }
    }

    #[test]
    fn records_written_as_parquet_read_back_unchanged() {
        let records = vec![record(0, Some(UnitKind::Heading)), record(1, None)];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.parquet");
        let mut bytes = Vec::new();
        write_records(&records, Format::Parquet, &mut bytes).unwrap();
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(read_parquet(&path).unwrap(), records);
    }

    /// A file with only the required columns, `index` unsigned as earlier versions wrote it.
    #[test]
    fn minimal_files_with_unsigned_indices_are_read() {
        use arrow_array::builder::{ListBuilder, StringBuilder};
        use arrow_array::ArrayRef;
        use std::sync::Arc;
        let mut labels = ListBuilder::new(StringBuilder::new());
        labels.values().append_value("sharing");
        labels.append(true);
        let mut columns: Vec<(String, ArrayRef)> = vec![
            ("doc".into(), Arc::new(StringArray::from(vec!["b.txt"]))),
            ("index".into(), Arc::new(UInt64Array::from(vec![7u64]))),
            ("text".into(), Arc::new(StringArray::from(vec!["共享。"]))),
            ("labels".into(), Arc::new(labels.finish())),
        ];
        for label in Label::ALL {
            let score: ArrayRef = Arc::new(Float32Array::from(vec![0.25f32]));
            columns.push((format!("score_{label}"), score));
        }
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.parquet");
        let file = std::fs::File::create(&path).unwrap();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let records = read_parquet(&path).unwrap();
        assert_eq!(records.len(), 1);
        let record = &records[0];
        assert_eq!((record.doc.as_str(), record.index), ("b.txt", 7));
        assert_eq!((record.start, record.kind), (None, None));
        assert!(record.labels.contains(Label::Sharing));
        assert_eq!(record.scores.get(Label::Rights), 0.25);
    }

    #[test]
    fn a_file_that_is_not_parquet_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.parquet");
        std::fs::write(&path, b"PAR1 this is not parquet").unwrap();
        let message = read_parquet(&path).unwrap_err().to_string();
        assert!(message.contains("bad.parquet"), "{message}");
    }
}
