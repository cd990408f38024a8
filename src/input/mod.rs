//! Reading policy files: encoding detection, HTML to text, directory walking.
//!
//! [`decode`] turns raw bytes into text (BOM, UTF-8, then a `chardetng` guess such as GB18030),
//! converting HTML to plain text with one line per block. [`read_path`] does the same for a file
//! and names the file in its errors; [`collect_files`] walks directories in a stable order.

mod decode;
mod html;

pub use decode::{decode, DecodeError, Decoded};
pub use html::html_to_text;

use std::io::Read;
use std::path::{Path, PathBuf};

/// A per-file failure: which file, and why.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file or directory could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The bytes were read but are not usable policy text.
    #[error("{path}: {reason}")]
    Decode {
        path: PathBuf,
        #[source]
        reason: DecodeError,
    },
}

/// Extensions read when walking a directory.
pub const EXTENSIONS: [&str; 4] = ["txt", "md", "html", "htm"];

/// Reads and decodes one file; `-` reads standard input.
pub fn read_path(path: &Path) -> Result<Decoded, InputError> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf).map(|_| buf)
    } else {
        std::fs::read(path)
    }
    .map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    decode(&bytes, is_html_path(path)).map_err(|reason| InputError::Decode {
        path: path.to_owned(),
        reason,
    })
}

/// Whether the file name says HTML (`.html`/`.htm`, any case).
pub fn is_html_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// Expands the given paths into the files to read: a file (or `-`) stands for itself, a
/// directory for every `.txt`/`.md`/`.html`/`.htm` below it, sorted by path.
///
/// Each returned entry is either a path or the error met while walking; the caller reports the
/// error and goes on.
pub fn collect_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, InputError>> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" || !path.is_dir() {
            out.push(Ok(path.clone()));
            continue;
        }
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() && has_policy_extension(e.path()) => {
                    out.push(Ok(e.into_path()));
                }
                Ok(_) => {}
                Err(err) => {
                    let p = err.path().unwrap_or(path).to_owned();
                    let source = err
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("directory loop"));
                    out.push(Err(InputError::Io { path: p, source }));
                }
            }
        }
    }
    out
}

fn has_policy_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}
