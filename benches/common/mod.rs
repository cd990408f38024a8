//! Inputs shared by the benches: the CAPP-130 policy files and the model to bench.
#![allow(dead_code)]

use std::path::PathBuf;

/// The CAPP-130 policy files beside the repository (`../shared`), sorted by name.
pub fn capp_policies() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/capp130/policies");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
}

/// `PRIVCLAUSE_MODEL`, else the shipped model.
pub fn model_dir() -> PathBuf {
    std::env::var_os("PRIVCLAUSE_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/privclause-m3e-small")
        })
}
