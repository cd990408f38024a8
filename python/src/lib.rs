//! The `privclause._native` extension module: a thin PyO3 layer over the privclause library.
//! Records cross into Python as the CLI's own bytes (JSONL or Parquet, written by
//! `privclause::output`), so Python sees exactly the CLI's records and schema; the Python package
//! (`privclause/__init__.py`) turns them into dicts or a `pyarrow.Table`.

use privclause::input::{collect_files, DEFAULT_MAX_FILE_SIZE};
use privclause::label::{BatchPolicy, InputUnit, Labeler};
use privclause::model::Precision;
use privclause::output::{write_records, Format, LabeledUnit};
use privclause::segment::{segment, SegmentOptions};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;

create_exception!(
    _native,
    PrivclauseError,
    PyException,
    "A model that cannot be loaded, or labeling that failed; the message names the file."
);

fn error(err: &(dyn std::error::Error + 'static)) -> PyErr {
    PrivclauseError::new_err(privclause::describe_error(err))
}

/// Records in a format, as bytes (`"jsonl"` or `"parquet"`).
fn encode(records: &[LabeledUnit], format: &str) -> PyResult<Vec<u8>> {
    let format = match format {
        "jsonl" => Format::Jsonl,
        "parquet" => Format::Parquet,
        other => return Err(PyValueError::new_err(format!("unknown format {other:?}"))),
    };
    let mut bytes = Vec::new();
    write_records(records, format, &mut bytes).map_err(|e| error(&e))?;
    Ok(bytes)
}

/// A loaded model with its decisions, batching and worker threads.
#[pyclass(module = "privclause._native", name = "NativeLabeler", frozen)]
struct NativeLabeler {
    labeler: Labeler,
    pool: rayon::ThreadPool,
}

#[pymethods]
impl NativeLabeler {
    #[new]
    #[pyo3(signature = (model=None, precision=None, threads=None, batch_size=8, max_file_size=DEFAULT_MAX_FILE_SIZE))]
    fn new(
        py: Python<'_>,
        model: Option<String>,
        precision: Option<&str>,
        threads: Option<usize>,
        batch_size: usize,
        max_file_size: u64,
    ) -> PyResult<Self> {
        let precision = match precision {
            None => None,
            Some("int8") => Some(Precision::Int8),
            Some("f32") => Some(Precision::F32),
            Some(other) => {
                return Err(PyValueError::new_err(format!(
                    "precision must be \"int8\" or \"f32\", not {other:?}"
                )))
            }
        };
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = threads {
            pool = pool.num_threads(n);
        }
        let pool = pool.build().map_err(|e| error(&e))?;
        let mut labeler = py
            .detach(|| Labeler::load(model.as_deref(), precision))
            .map_err(|e| error(&e))?;
        labeler.policy = BatchPolicy {
            batch_size: batch_size.max(1),
            ..BatchPolicy::default()
        };
        labeler.max_file_size = max_file_size;
        Ok(Self { labeler, pool })
    }

    /// The model id written into every record.
    #[getter]
    fn model_id(&self) -> String {
        self.labeler.model.id.clone()
    }

    /// Worker threads of this labeler's pool.
    #[getter]
    fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Labels texts (with their contexts and ids) as one document `doc`; the records as bytes.
    #[pyo3(signature = (texts, contexts, ids, doc, format))]
    fn label_texts<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        contexts: Vec<String>,
        ids: Vec<String>,
        doc: String,
        format: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let units: Vec<InputUnit> = texts
            .into_iter()
            .zip(contexts)
            .zip(ids)
            .map(|((text, context), id)| InputUnit {
                id: serde_json::Value::String(id),
                text,
                context,
            })
            .collect();
        let bytes = py.detach(|| {
            let records = self
                .pool
                .install(|| self.labeler.label_inputs(&doc, units))
                .map_err(|e| error(&e))?;
            encode(&records, format)
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Labels policy files and directories (walked as the CLI walks them); returns the records
    /// as bytes and one message per input that failed (the others are still labeled).
    #[pyo3(signature = (paths, format, follow_links=false))]
    fn label_files<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        format: &str,
        follow_links: bool,
    ) -> PyResult<(Bound<'py, PyBytes>, Vec<String>)> {
        let (bytes, failures) = py.detach(|| {
            let mut records = Vec::new();
            let mut failures = Vec::new();
            for entry in collect_files(&paths, follow_links).files {
                let labeled = entry
                    .map_err(|e| privclause::describe_error(&e))
                    .and_then(|path| {
                        self.pool
                            .install(|| self.labeler.label_file(&path, false))
                            .map_err(|e| privclause::describe_error(&e))
                    });
                match labeled {
                    Ok(labeled) => records.extend(labeled),
                    Err(message) => failures.push(message),
                }
            }
            encode(&records, format).map(|bytes| (bytes, failures))
        })?;
        Ok((PyBytes::new(py, &bytes), failures))
    }
}

/// The units of `text` (document `doc`) as JSONL bytes, as `privclause segment` prints them.
#[pyfunction]
#[pyo3(signature = (text, doc, max_unit_chars))]
fn segment_jsonl<'py>(
    py: Python<'py>,
    text: &str,
    doc: &str,
    max_unit_chars: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let opts = SegmentOptions {
        max_unit_chars: max_unit_chars.max(1),
    };
    let mut bytes = Vec::new();
    for unit in segment(doc, text, &opts) {
        serde_json::to_writer(&mut bytes, &unit).map_err(|e| error(&e))?;
        bytes.push(b'\n');
    }
    Ok(PyBytes::new(py, &bytes))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeLabeler>()?;
    m.add_function(wrap_pyfunction!(segment_jsonl, m)?)?;
    m.add("PrivclauseError", m.py().get_type::<PrivclauseError>())?;
    m.add(
        "DEFAULT_MAX_UNIT_CHARS",
        privclause::segment::DEFAULT_MAX_UNIT_CHARS,
    )?;
    m.add("DEFAULT_MAX_FILE_SIZE", DEFAULT_MAX_FILE_SIZE)?;
    Ok(())
}
