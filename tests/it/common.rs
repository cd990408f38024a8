//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The bert-base-chinese tokenizer used by the tiny test models.
pub fn tokenizer_json() -> PathBuf {
    repo().join("tests/fixtures/tokenizer/bert-base-chinese.json")
}

/// Writes the tiny random-weight model (seed 7) into a fresh temporary directory.
pub fn tiny_model() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    privclause::fixtures::write_tiny_model(dir.path(), &tokenizer_json(), 7).expect("tiny model");
    dir
}

/// The seed policies shipped in the repository.
pub fn seeds_dir() -> PathBuf {
    repo().join("datasets/seeds")
}

/// Runs the `privclause` binary (without `PRIVCLAUSE_MODEL` from the environment).
pub fn privclause(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_privclause"))
        .args(args)
        .env_remove("PRIVCLAUSE_MODEL")
        .output()
        .expect("privclause runs")
}

/// Runs the `privclause` binary and asserts it succeeded.
pub fn privclause_ok(args: &[&str]) -> std::process::Output {
    let out = privclause(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
