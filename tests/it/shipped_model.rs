//! The shipped model is the one that was measured: `privclause eval` on the committed test split
//! reproduces the macro-F1 figures written in its model card (within 0.01): the shipped settings
//! (rule thresholds included) and the model alone (`--model-only`).

use crate::common;
use std::process::Command;

/// The figure on the card's line `{prefix}0.XXXX`.
fn card_figure(card: &str, prefix: &str) -> f64 {
    card.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("MODEL_CARD.md has a `{prefix}X` line"))
}

/// Test macro-F1 that `privclause eval` measures for the shipped model with `extra` arguments.
fn measured_macro_f1(extra: &[&str]) -> f64 {
    let out_dir = tempfile::tempdir().unwrap();
    let json = out_dir.path().join("eval.json");
    let output = Command::new(env!("CARGO_BIN_EXE_privclause"))
        .current_dir(common::repo())
        .args(["eval", "datasets/privclause-v2.jsonl", "--split", "test"])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .env_remove("PRIVCLAUSE_MODEL")
        .output()
        .expect("privclause eval runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    report["overall"]["macro_f1"].as_f64().unwrap()
}

#[test]
fn shipped_model_reproduces_its_model_card_macro_f1() {
    let model = common::repo().join("models/privclause-m3e-small");
    let card = std::fs::read_to_string(model.join("MODEL_CARD.md")).expect("model card");
    for (prefix, extra) in [
        ("test macro-F1: ", &[][..]),
        ("test macro-F1, model alone: ", &["--model-only"][..]),
    ] {
        let claimed = card_figure(&card, prefix);
        let measured = measured_macro_f1(extra);
        assert!(
            (measured - claimed).abs() <= 0.01,
            "model card says `{prefix}{claimed}`, eval {extra:?} measures {measured}"
        );
    }
}
