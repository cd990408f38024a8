//! The classifier runtime: loading model directories, scoring, batch and thread independence,
//! and agreement with an independent (numpy) implementation of the same network.

use crate::common;
use privclause::label::{BatchPolicy, Labeler};
use privclause::model::{ClauseModel, ModelError, Precision};
use serde_json::Value;

const SENTENCES: [(&str, &str); 6] = [
    ("", "我们会收集您的手机号码、设备信息（IMEI、MAC地址）用于账号注册。"),
    ("七、您的权利\n在以下情形中，我们将无法响应您的请求：", "2. 与公共安全、公共卫生、重大公共利益有关的；"),
    ("", "您可以通过“设置-账号注销”申请注销您的账户。"),
    ("三、共享", "我们会将您的订单信息共享给第三方支付机构，以完成支付。"),
    ("", "如您对本政策有任何疑问，请通过客服电话与我们联系。"),
    ("一、我们如何收集和使用您的个人信息", "当您使用问诊服务时，我们需要收集您的病历、检查报告等健康生理信息。这些信息属于敏感个人信息，我们将在获得您的单独同意后处理。"),
];

fn labeler(dir: &std::path::Path, batch_size: usize) -> Labeler {
    labeler_as(dir, None, batch_size)
}

fn labeler_as(dir: &std::path::Path, precision: Option<Precision>, batch_size: usize) -> Labeler {
    let model = ClauseModel::load_as(dir, precision).expect("model loads");
    let mut labeler = Labeler::new(model).expect("settings decide");
    labeler.policy = BatchPolicy {
        batch_size,
        sort_window: 512,
    };
    labeler
}

fn pairs(n: usize) -> Vec<(&'static str, String)> {
    (0..n)
        .map(|i| {
            let (context, text) = SENTENCES[i % SENTENCES.len()];
            (text, context.to_string())
        })
        .collect()
}

#[test]
fn scores_do_not_depend_on_batching_or_threads() {
    let dir = common::tiny_model();
    let inputs = pairs(40);
    let single = labeler(dir.path(), 1).score_pairs(&inputs).unwrap();
    let batched = labeler(dir.path(), 32).score_pairs(&inputs).unwrap();
    let max_diff = single
        .iter()
        .zip(&batched)
        .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
        .fold(0f32, f32::max);
    assert!(max_diff < 1e-4, "batch of 1 vs 32 differ by {max_diff}");
    for (i, row) in single.iter().enumerate() {
        assert!(row.iter().all(|s| (0.0..=1.0).contains(s)), "{row:?}");
        // Same sentence, same scores, wherever it sits in the input.
        let twin = &single[i % SENTENCES.len()];
        assert!(row.iter().zip(twin).all(|(a, b)| (a - b).abs() < 1e-5));
    }
    let distinct = single[0]
        .iter()
        .zip(&single[1])
        .any(|(a, b)| (a - b).abs() > 1e-4);
    assert!(distinct, "different inputs must give different scores");

    let by_threads = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| labeler(dir.path(), 8).score_pairs(&inputs).unwrap())
    };
    assert_eq!(by_threads(1), by_threads(2), "thread count changes nothing");
}

#[test]
fn int8_weights_stay_close_to_f32_and_independent_of_batching() {
    let dir = common::tiny_model();
    let inputs = pairs(24);
    let with = |precision: Precision, batch_size: usize| {
        labeler_as(dir.path(), Some(precision), batch_size)
            .score_pairs(&inputs)
            .unwrap()
    };
    let max_diff = |a: &[[f32; 5]], b: &[[f32; 5]]| {
        a.iter()
            .zip(b)
            .flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs()))
            .fold(0f32, f32::max)
    };
    let (f32_scores, int8_scores) = (with(Precision::F32, 8), with(Precision::Int8, 8));
    let gap = max_diff(&f32_scores, &int8_scores);
    assert!(gap < 0.02, "int8 scores differ from f32 by {gap}");
    assert!(gap > 0.0, "int8 must really run a different kernel");
    // Activations are quantized per row, so a unit's int8 scores do not depend on its batch.
    let single = with(Precision::Int8, 1);
    assert!(max_diff(&single, &int8_scores) < 1e-5);
}

#[test]
fn logits_match_an_independent_numpy_forward_pass() {
    let dir = common::tiny_model();
    let model = ClauseModel::load(dir.path()).unwrap();
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("tests/fixtures/interop/reference.json"))
            .unwrap(),
    )
    .unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert!(cases.len() >= 4);
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let context = case["context"].as_str().unwrap();
        let encoded = model.encode(text, context).unwrap();
        let ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
        let type_ids: Vec<u32> = serde_json::from_value(case["type_ids"].clone()).unwrap();
        assert_eq!(encoded.ids, ids, "token ids of {text}");
        assert_eq!(encoded.type_ids, type_ids, "type ids of {text}");
        let scores = model.score(&[&encoded])[0];
        let logits: Vec<f64> = serde_json::from_value(case["logits"].clone()).unwrap();
        for (column, logit) in logits.iter().enumerate() {
            let expected = 1.0 / (1.0 + (-logit).exp());
            let diff = (scores[column] as f64 - expected).abs();
            assert!(
                diff < 1e-5,
                "{text}: label {column} {} vs {expected}",
                scores[column]
            );
        }
    }
}

#[test]
fn half_precision_weights_load_and_agree() {
    let dir = common::tiny_model();
    let full = labeler(dir.path(), 8).score_pairs(&pairs(6)).unwrap();
    for dtype in [candle_core::DType::F16, candle_core::DType::BF16] {
        let half_dir = tempfile::tempdir().unwrap();
        let weights = candle_core::safetensors::load(
            dir.path().join("model.safetensors"),
            &candle_core::Device::Cpu,
        )
        .unwrap();
        privclause::model::save_model_dir(
            half_dir.path(),
            &privclause::fixtures::tiny_config(),
            &privclause::model::ClassifierSettings {
                max_length: 128,
                ..Default::default()
            },
            &common::tokenizer_json(),
            &weights,
            dtype,
        )
        .unwrap();
        let half = labeler(half_dir.path(), 8).score_pairs(&pairs(6)).unwrap();
        let max_diff = full
            .iter()
            .zip(&half)
            .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
            .fold(0f32, f32::max);
        assert!(max_diff < 0.02, "{dtype:?} weights differ by {max_diff}");
    }
}

#[test]
fn rule_thresholds_apply_only_where_the_rules_give_the_label() {
    use privclause::decide::Decider;
    use privclause::labels::{Label, LabelSet};
    use privclause::model::RuleThreshold;
    use privclause::rules::{rule_labels, RULES_VERSION};
    let dir = common::tiny_model();
    let mut labeler = labeler(dir.path(), 8);
    let pairs = pairs(SENTENCES.len());
    let raw = labeler.score_pairs(&pairs).unwrap();
    let decide_all = |labeler: &Labeler| -> Vec<LabelSet> {
        pairs
            .iter()
            .zip(&raw)
            .map(|((text, context), raw)| labeler.decider.decide(*raw, text, context).0)
            .collect()
    };
    let ruled: Vec<LabelSet> = pairs.iter().map(|(t, c)| rule_labels(t, c)).collect();
    assert!(
        ruled.iter().filter(|l| !l.is_empty()).count() >= 4,
        "the sentences exercise the rules: {ruled:?}"
    );

    // Rule thresholds out of reach alone and at zero with the rules: exactly the rules' labels
    // (the plain thresholds, at zero, only count for the model alone).
    let settings = &mut labeler.model.settings;
    let rule = |with_rule| RuleThreshold {
        alone: 1.5,
        with_rule,
    };
    for label in Label::ALL {
        settings.thresholds.insert(label, 0.0);
        settings.rule_thresholds.insert(label, rule(0.0));
    }
    settings.rules_version = Some(RULES_VERSION.to_string());
    let from_settings =
        |labeler: &Labeler| Decider::from_settings(&labeler.model.settings).unwrap();
    labeler.decider = from_settings(&labeler);
    assert_eq!(decide_all(&labeler), ruled);

    // A with-rule threshold above every score admits nothing.
    for label in Label::ALL {
        labeler
            .model
            .settings
            .rule_thresholds
            .insert(label, rule(1.2));
    }
    labeler.decider = from_settings(&labeler);
    assert!(decide_all(&labeler).iter().all(|l| l.is_empty()));

    // `--threshold` decides by the model alone.
    labeler.decider = Decider::uniform(1.5);
    assert!(decide_all(&labeler).iter().all(|l| l.is_empty()));

    // Without rule thresholds the plain ones decide: at zero, every label.
    labeler.model.settings.rule_thresholds.clear();
    labeler.decider = from_settings(&labeler);
    assert!(decide_all(&labeler).iter().all(|l| l.iter().count() == 5));
}

#[test]
fn rule_thresholds_need_the_rules_they_were_tuned_with() {
    let dir = common::tiny_model();
    let settings_path = dir.path().join("privclause.json");
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(&settings_path).unwrap()).unwrap();
    json["rule_thresholds"] = serde_json::json!({"sensitive": {"alone": 0.9, "with_rule": 0.1}});
    json["rules_version"] = "rules@v0".into();
    std::fs::write(&settings_path, json.to_string()).unwrap();
    let err = load_error(dir.path());
    assert!(
        err.contains("privclause.json") && err.contains("rules@v0"),
        "{err}"
    );
    json.as_object_mut().unwrap().remove("rules_version");
    std::fs::write(&settings_path, json.to_string()).unwrap();
    let err = load_error(dir.path());
    assert!(
        err.contains("privclause.json") && err.contains("rules_version"),
        "{err}"
    );
    json["rules_version"] = privclause::rules::RULES_VERSION.into();
    std::fs::write(&settings_path, json.to_string()).unwrap();
    let model = ClauseModel::load(dir.path()).expect("current rules load");
    let suffix = format!("+{}", privclause::rules::RULES_VERSION);
    assert!(model.id.ends_with(&suffix), "{}", model.id);
}

/// The error of loading `dir` as `label` does (model, then its decisions), on one line.
fn load_error(dir: &std::path::Path) -> String {
    match Labeler::load(Some(dir.to_str().unwrap()), None) {
        Ok(_) => panic!("{} should not load", dir.display()),
        Err(e) => privclause::describe_error(&e),
    }
}

#[test]
fn broken_model_directories_give_errors_naming_the_file() {
    let dir = common::tiny_model();
    let path = dir.path();

    let config_path = path.join("config.json");
    let config = std::fs::read_to_string(&config_path).unwrap();

    // Labels missing from the config.
    let mut json: Value = serde_json::from_str(&config).unwrap();
    json["id2label"].as_object_mut().unwrap().remove("3");
    std::fs::write(&config_path, json.to_string()).unwrap();
    let err = load_error(path);
    assert!(
        err.contains("config.json") && err.contains("id2label"),
        "{err}"
    );

    // Tokenizer vocabulary that does not match the config.
    json = serde_json::from_str(&config).unwrap();
    json["vocab_size"] = 30522.into();
    std::fs::write(&config_path, json.to_string()).unwrap();
    let err = load_error(path);
    assert!(
        err.contains("tokenizer.json") && err.contains("30522"),
        "{err}"
    );

    // A tensor of the wrong shape.
    json = serde_json::from_str(&config).unwrap();
    json["intermediate_size"] = 65.into();
    std::fs::write(&config_path, json.to_string()).unwrap();
    let err = load_error(path);
    assert!(
        err.contains("model.safetensors") && err.contains("intermediate"),
        "{err}"
    );
    std::fs::write(&config_path, &config).unwrap();

    // Missing files.
    std::fs::remove_file(path.join("model.safetensors")).unwrap();
    let err = load_error(path);
    assert!(
        err.contains("model.safetensors") && err.contains("missing"),
        "{err}"
    );
    std::fs::remove_file(path.join("tokenizer.json")).unwrap();
    assert!(load_error(path).contains("tokenizer.json"));
    std::fs::remove_file(&config_path).unwrap();
    assert!(matches!(
        ClauseModel::load(path),
        Err(ModelError::MissingFile { .. })
    ));
}
