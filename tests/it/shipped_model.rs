//! The shipped model is the one that was measured: `privclause eval` on the committed test split
//! reproduces the macro-F1 figures written in its model card (within 0.01): the shipped settings
//! (rule thresholds included) and the model alone (`--model-only`).

use crate::common;

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
    let json_arg = json.to_str().expect("utf-8 temp path");
    let mut args = vec!["eval", "datasets/privclause-v3.jsonl", "--split", "test"];
    args.extend_from_slice(extra);
    args.extend(["--json", json_arg]);
    common::privclause_ok(&args);
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

/// Labels of each `--input-units` line (by id) and its windows, from the shipped model.
fn shipped_labels(units: &[(&str, &str)]) -> Vec<(Vec<String>, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("units.jsonl");
    let lines: Vec<String> = units
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let output = common::privclause_ok(&["label", "--input-units", input.to_str().unwrap()]);
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            let labels = record["labels"].as_array().unwrap();
            let labels = labels
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect();
            (
                labels,
                record.get("windows").map_or(1, |w| w.as_u64().unwrap()),
            )
        })
        .collect()
}

#[test]
fn a_paragraph_of_five_clauses_gets_the_union_of_their_labels() {
    // Five clauses, one per label, each labeled alone as the comment says; together they are
    // about 190 characters, twice the model's 96-token budget.
    let clauses = [
        // collection
        "当您注册账号时，我们会收集您的手机号码，用于创建账号和验证身份。",
        // sharing
        "为完成支付，我们会将您的订单信息共享给合作的第三方支付机构。",
        // collection, sensitive
        "在您进行实名认证时，我们需要收集您的身份证号码和人脸图像。",
        // collection, exemptions
        "与国家安全、国防安全直接相关的，我们收集、使用您的个人信息无需征得您的授权同意。",
        // rights
        "您可以在“设置-账号与安全”中申请注销账号，注销后我们将删除您的个人信息。",
    ];
    let paragraph = clauses.concat();
    let mut units: Vec<(&str, &str)> = clauses.iter().map(|c| ("clause", *c)).collect();
    units.push(("paragraph", &paragraph));
    let labeled = shipped_labels(&units);
    let mut union: Vec<String> = labeled[..5].iter().flat_map(|(l, _)| l.clone()).collect();
    union.sort();
    union.dedup();
    assert_eq!(
        union.len(),
        5,
        "each label is given to one clause: {labeled:?}"
    );
    let (mut paragraph_labels, windows) = labeled[5].clone();
    paragraph_labels.sort();
    assert_eq!(paragraph_labels, union);
    assert!(windows > 1, "the paragraph is read in several windows");
}
