//! The shipped model is the one that was measured: `privclause eval` on the committed test split
//! reproduces the macro-F1 written in its model card (within 0.01).

mod common;

use std::process::Command;

#[test]
fn shipped_model_reproduces_its_model_card_macro_f1() {
    let model = common::repo().join("models/privclause-m3e-small");
    let card = std::fs::read_to_string(model.join("MODEL_CARD.md")).expect("model card");
    // The card states the figure on a line `test macro-F1: 0.XXXX`.
    let claimed: f64 = card
        .lines()
        .find_map(|l| l.trim().strip_prefix("test macro-F1: "))
        .and_then(|v| v.trim().parse().ok())
        .expect("MODEL_CARD.md has a `test macro-F1: X` line");

    let out_dir = tempfile::tempdir().unwrap();
    let json = out_dir.path().join("eval.json");
    let output = Command::new(env!("CARGO_BIN_EXE_privclause"))
        .current_dir(common::repo())
        .args([
            "eval",
            "datasets/privclause-v2.jsonl",
            "--split",
            "test",
            "--json",
        ])
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
    let measured = report["overall"]["macro_f1"].as_f64().unwrap();
    assert!(
        (measured - claimed).abs() <= 0.01,
        "model card says test macro-F1 {claimed}, eval measures {measured}"
    );
}
