//! Parquet output through Arrow arrays: typed columns, list columns as lists.

use super::columns::kind_name;
use super::LabeledUnit;
use super::OutputError;
use crate::labels::Label;
use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use std::io::Write;
use std::sync::Arc;

fn list_of_strings<'a>(rows: impl Iterator<Item = Vec<&'a str>>) -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    for row in rows {
        for value in row {
            builder.values().append_value(value);
        }
        builder.append(true);
    }
    Arc::new(builder.finish())
}

fn schema() -> Schema {
    let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let mut fields = vec![
        Field::new("doc", DataType::Utf8, false),
        Field::new("index", DataType::Int64, false),
        Field::new("id", DataType::Utf8, true),
        Field::new("start", DataType::Int64, true),
        Field::new("end", DataType::Int64, true),
        Field::new("kind", DataType::Utf8, true),
        Field::new("section", list(), false),
        Field::new("lead", DataType::Utf8, true),
        Field::new("text", DataType::Utf8, false),
        Field::new("labels", list(), false),
        Field::new("windows", DataType::Int64, false),
    ];
    fields.extend(
        Label::ALL
            .iter()
            .map(|l| Field::new(format!("score_{l}"), DataType::Float32, false)),
    );
    fields.push(Field::new("model", DataType::Utf8, false));
    Schema::new(fields)
}

/// Writes all records as one Parquet file (one row group per 64k rows).
pub fn write_parquet(records: &[LabeledUnit], out: &mut dyn Write) -> Result<(), OutputError> {
    let to_err = |e: &dyn std::fmt::Display| OutputError::Parquet(e.to_string());
    let schema = Arc::new(schema());
    let ints = |f: fn(&LabeledUnit) -> Option<usize>| -> ArrayRef {
        Arc::new(
            records
                .iter()
                .map(|r| f(r).map(|v| v as i64))
                .collect::<Int64Array>(),
        )
    };
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            records.iter().map(|r| &r.doc),
        )),
        ints(|r| Some(r.index)),
        Arc::new(
            records
                .iter()
                .map(|r| r.id.as_deref())
                .collect::<StringArray>(),
        ),
        ints(|r| r.start),
        ints(|r| r.end),
        Arc::new(
            records
                .iter()
                .map(|r| r.kind.map(kind_name))
                .collect::<StringArray>(),
        ),
        list_of_strings(
            records
                .iter()
                .map(|r| r.section.iter().map(String::as_str).collect()),
        ),
        Arc::new(
            records
                .iter()
                .map(|r| r.lead.as_deref())
                .collect::<StringArray>(),
        ),
        Arc::new(StringArray::from_iter_values(
            records.iter().map(|r| &r.text),
        )),
        list_of_strings(
            records
                .iter()
                .map(|r| r.labels.iter().map(|l| l.name()).collect()),
        ),
        ints(|r| Some(r.windows)),
    ];
    for label in Label::ALL {
        columns.push(Arc::new(
            records
                .iter()
                .map(|r| r.scores.get(label))
                .collect::<Float32Array>(),
        ));
    }
    columns.push(Arc::new(StringArray::from_iter_values(
        records.iter().map(|r| &r.model),
    )));
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| to_err(&e))?;
    let mut buffer = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buffer, schema, None).map_err(|e| to_err(&e))?;
    writer.write(&batch).map_err(|e| to_err(&e))?;
    writer.close().map_err(|e| to_err(&e))?;
    out.write_all(&buffer)?;
    Ok(())
}
