//! The import rules of `ARCHITECTURE.md`, checked on the source: each library module uses only
//! the modules listed for it (so the stages stay a one-way pipeline), and no `cli` module uses
//! another.

use crate::common;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level library module and the crate modules it may use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("atomic", &[]),
    ("labels", &[]),
    ("input", &[]),
    ("engine", &[]),
    ("batch", &[]),
    ("segment", &["input"]),
    ("corpus", &["input", "segment"]),
    ("rules", &["labels"]),
    ("model", &["atomic", "engine", "labels"]),
    ("output", &["atomic", "labels", "segment"]),
    (
        "dataset",
        &["corpus", "input", "labels", "rules", "segment"],
    ),
    ("eval", &["dataset", "labels", "segment"]),
    ("decide", &["dataset", "eval", "labels", "model", "rules"]),
    (
        "label",
        &[
            "atomic", "batch", "dataset", "decide", "input", "labels", "model", "output", "segment",
        ],
    ),
    (
        "report",
        &["atomic", "input", "label", "labels", "output", "segment"],
    ),
    (
        "train",
        &[
            "batch", "dataset", "decide", "engine", "eval", "labels", "model",
        ],
    ),
    (
        "fixtures",
        &[
            "dataset", "input", "label", "labels", "model", "output", "segment", "train",
        ],
    ),
];

/// The `.rs` files of a module: `src/<name>.rs` or everything under `src/<name>/`.
fn module_files(src: &Path, name: &str) -> Vec<std::path::PathBuf> {
    let file = src.join(format!("{name}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut files = Vec::new();
    let mut dirs = vec![src.join(name)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The names `prefix` is followed by in `text` (`crate::model::X` gives `model`).
fn used_after(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn library_modules_import_only_what_architecture_md_allows() {
    let src = common::repo().join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared = used_after(&lib, "pub mod ");
    let listed: BTreeSet<String> = allowed.keys().map(|k| k.to_string()).collect();
    assert_eq!(
        declared, listed,
        "every module of lib.rs has a row in ALLOWED"
    );
    let mut violations = Vec::new();
    for (module, may_use) in &allowed {
        for file in module_files(&src, module) {
            let text = std::fs::read_to_string(&file).unwrap();
            for used in used_after(&text, "crate::") {
                // Test fixtures exist only in test builds (cfg(test) or feature test-util), so
                // any module's unit tests may use them; a non-test use would not compile.
                let allowed =
                    used == *module || used == "fixtures" || may_use.contains(&used.as_str());
                if !allowed && declared.contains(&used) {
                    violations.push(format!("{}: uses crate::{used}", file.display()));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn no_cli_module_imports_another() {
    let cli = common::repo().join("src/cli");
    let modules: BTreeSet<String> = std::fs::read_dir(&cli)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|name| name != "mod")
        .collect();
    let mut violations = Vec::new();
    for module in &modules {
        let path = cli.join(format!("{module}.rs"));
        let text = std::fs::read_to_string(&path).unwrap();
        for used in used_after(&text, "super::") {
            if modules.contains(&used) {
                violations.push(format!("{}: uses super::{used}", path.display()));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
