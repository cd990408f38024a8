//! Atomic file output: write to a temporary file beside the target, then rename it into place,
//! so a reader never sees a half-written file and an interrupted run leaves none behind.

use std::io::{BufWriter, Write};
use std::path::Path;

/// Temporary files are named `.privclause-*.tmp`.
const TEMP_PREFIX: &str = ".privclause-";
const TEMP_SUFFIX: &str = ".tmp";

/// Removes the temporary files that a killed run (SIGKILL, power loss) left anywhere under `dir`;
/// returns how many. Never an output: outputs only appear by rename.
pub fn remove_stale_temp_files(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(std::io::Error::other)?;
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file()
            && name.starts_with(TEMP_PREFIX)
            && name.ends_with(TEMP_SUFFIX)
        {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Creates `path` with the bytes `fill` writes, atomically. Parent directories are created.
pub fn write_atomically<E>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<std::io::Error>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    let mut writer = BufWriter::new(temp);
    fill(&mut writer)?;
    let temp = writer.into_inner().map_err(|e| e.into_error())?;
    temp.as_file().sync_all()?;
    // Temporary files are private (0600); the output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_write_leaves_no_file_and_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub").join("out.jsonl");
        let result: Result<(), std::io::Error> = write_atomically(&target, |w| {
            w.write_all(b"partial")?;
            Err(std::io::Error::other("interrupted"))
        });
        assert!(result.is_err());
        assert!(!target.exists());
        let leftovers = std::fs::read_dir(target.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 0, "temporary file removed");

        write_atomically::<std::io::Error>(&target, |w| w.write_all(b"done")).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "done");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644, "readable like any output file");
        }
    }
}
