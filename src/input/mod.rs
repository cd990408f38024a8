//! Reading policy files: encoding detection, HTML to text, directory walking.
//!
//! [`decode`] turns raw bytes into text (BOM, UTF-8, then a `chardetng` guess such as GB18030),
//! converting HTML to plain text with one line per block. [`read_path`] does the same for a file
//! and names the file in its errors, refusing files over a size limit; [`collect_files`] walks
//! directories in a stable order, following symbolic links only when asked.

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
    /// The file is larger than the limit (`--max-file-size`).
    #[error("{path}: larger than the {limit}-byte limit (raise it with --max-file-size)")]
    TooLarge { path: PathBuf, limit: u64 },
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

/// Largest input read by default: 64 MiB, some 40 times the longest policy in CAPP-130 and the
/// seeds. Every input stage is linear, but a file this size already takes about 1.5 GB of
/// memory to segment (text, chars, units).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 << 20;

/// Reads and decodes one file of at most [`DEFAULT_MAX_FILE_SIZE`] bytes; `-` reads standard
/// input.
pub fn read_path(path: &Path) -> Result<Decoded, InputError> {
    read_path_limited(path, DEFAULT_MAX_FILE_SIZE)
}

/// Reads and decodes one file (`-`: standard input) of at most `max_bytes` bytes; a larger one
/// is refused with [`InputError::TooLarge`] before it is read whole.
pub fn read_path_limited(path: &Path, max_bytes: u64) -> Result<Decoded, InputError> {
    let io_error = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let too_large = || InputError::TooLarge {
        path: path.to_owned(),
        limit: max_bytes,
    };
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(io_error)?;
        if file.metadata().map_err(io_error)?.len() > max_bytes {
            return Err(too_large());
        }
        Box::new(file)
    };
    let mut bytes = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
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

/// What [`collect_files`] found.
#[derive(Debug, Default)]
pub struct Collected {
    /// Each a path to read, or the error met while walking (the caller reports it and goes on).
    pub files: Vec<Result<PathBuf, InputError>>,
    /// Symbolic links met in directories and not followed.
    pub skipped_links: Vec<PathBuf>,
}

/// Expands the given paths into the files to read: a file (or `-`) stands for itself, a
/// directory for every `.txt`/`.md`/`.html`/`.htm` below it, sorted by path. Symbolic links
/// inside directories are followed with `follow_links` (loops are reported as errors), else
/// listed in [`Collected::skipped_links`]; a link given as an argument is always followed.
pub fn collect_files(paths: &[PathBuf], follow_links: bool) -> Collected {
    collect_files_matching(paths, follow_links, has_policy_extension)
}

/// [`collect_files`] with another rule for which files in a directory to keep (`keep`).
pub fn collect_files_matching(
    paths: &[PathBuf],
    follow_links: bool,
    keep: impl Fn(&Path) -> bool,
) -> Collected {
    let mut out = Collected::default();
    for path in paths {
        if path.as_os_str() == "-" || !path.is_dir() {
            out.files.push(Ok(path.clone()));
            continue;
        }
        let walk = walkdir::WalkDir::new(path)
            .follow_links(follow_links)
            .sort_by_file_name();
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() && keep(e.path()) => {
                    out.files.push(Ok(e.into_path()));
                }
                Ok(e) if e.path_is_symlink() && !follow_links => {
                    out.skipped_links.push(e.into_path());
                }
                Ok(_) => {}
                Err(err) => {
                    let p = err.path().unwrap_or(path).to_owned();
                    let source = err
                        .into_io_error()
                        .unwrap_or_else(|| std::io::Error::other("directory loop"));
                    out.files.push(Err(InputError::Io { path: p, source }));
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
