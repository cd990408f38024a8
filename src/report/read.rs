//! Finding and reading what `privclause label` wrote: JSONL or Parquet files of
//! [`LabeledUnit`] records, given directly or found in directories.

use super::parquet::read_parquet;
use crate::input::{collect_files_matching, Collected};
use crate::output::LabeledUnit;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Extensions of record files looked for in directories.
pub const RECORD_EXTENSIONS: [&str; 2] = ["jsonl", "parquet"];

/// Why one record file could not be used. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: line {line}: not a labeled record: {source}", path.display())]
    Jsonl {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: not a Parquet file of labeled records: {message}", path.display())]
    Parquet { path: PathBuf, message: String },
    #[error("{}: no records", path.display())]
    Empty { path: PathBuf },
}

/// Expands `paths` into record files: a file stands for itself, a directory for every
/// `.jsonl` / `.parquet` below it, sorted by path. Symbolic links inside directories are
/// followed only with `follow_links`, else listed in [`Collected::skipped_links`].
pub fn collect_record_files(paths: &[PathBuf], follow_links: bool) -> Collected {
    collect_files_matching(paths, follow_links, is_record_file)
}

fn extension_is(path: &Path, wanted: &str) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
}

fn is_record_file(path: &Path) -> bool {
    RECORD_EXTENSIONS.iter().any(|x| extension_is(path, x))
}

/// Reads every record of one file: Parquet when it ends in `.parquet`, JSONL otherwise (blank
/// lines skipped). A file without records is an error too: it would give no page.
pub fn read_record_file(path: &Path) -> Result<Vec<LabeledUnit>, ReadError> {
    let records = if extension_is(path, "parquet") {
        // A damaged file can make the Parquet decoder panic: that file fails, not the run.
        std::panic::catch_unwind(|| read_parquet(path)).unwrap_or_else(|_| {
            Err(ReadError::Parquet {
                path: path.to_owned(),
                message: "the Parquet decoder failed on this file".into(),
            })
        })?
    } else {
        read_jsonl(path)?
    };
    if records.is_empty() {
        return Err(ReadError::Empty {
            path: path.to_owned(),
        });
    }
    Ok(records)
}

fn read_jsonl(path: &Path) -> Result<Vec<LabeledUnit>, ReadError> {
    let io_error = |source| ReadError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut records = Vec::new();
    for (number, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io_error)?;
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(&line).map_err(|source| ReadError::Jsonl {
            path: path.to_owned(),
            line: number + 1,
            source,
        })?;
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"doc":"a.txt","index":0,"text":"我们收集您的手机号码。","labels":["collection"],"scores":{"collection":0.9,"sharing":0.0,"sensitive":0.0,"exemptions":0.0,"rights":0.0},"model":"m"}"#;

    #[test]
    fn jsonl_records_are_read_and_a_bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.jsonl");
        std::fs::write(&good, format!("{RECORD}\n\n{RECORD}\n")).unwrap();
        assert_eq!(read_record_file(&good).unwrap().len(), 2);

        let bad = dir.path().join("bad.jsonl");
        std::fs::write(&bad, format!("{RECORD}\n{{\"doc\": 1}}\n")).unwrap();
        let message = read_record_file(&bad).unwrap_err().to_string();
        assert!(
            message.contains("bad.jsonl") && message.contains("line 2"),
            "{message}"
        );

        let empty = dir.path().join("empty.jsonl");
        std::fs::write(&empty, "\n").unwrap();
        assert!(matches!(
            read_record_file(&empty),
            Err(ReadError::Empty { .. })
        ));
    }

    #[test]
    fn directories_give_their_record_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["b.jsonl", "sub/a.PARQUET", "c.csv", "d.txt"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let found: Vec<PathBuf> = collect_record_files(&[dir.path().to_path_buf()], false)
            .files
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            found,
            vec![dir.path().join("b.jsonl"), dir.path().join("sub/a.PARQUET")]
        );
    }
}
