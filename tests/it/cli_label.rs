//! `privclause label` end to end with the tiny test model: records, formats, per-file outputs,
//! resume, and bad files reported without losing the others' output.

use crate::common::{self, privclause, privclause_ok};
use serde_json::Value;
use std::path::Path;

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

#[test]
fn labels_a_policy_with_records_that_round_trip() {
    let model = common::tiny_model();
    let seed = common::seeds_dir().join("003_f94399429406dde4.txt");
    let out = privclause_ok(&[
        "label",
        seed.to_str().unwrap(),
        "--model",
        model.path().to_str().unwrap(),
        "--threshold",
        "0.5",
    ]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("隐私"), "Chinese is written unescaped");
    let records = jsonl(&stdout);
    assert!(records.len() > 50, "{} records", records.len());
    let text = std::fs::read_to_string(&seed).unwrap();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["index"], i, "records in document order");
        let (start, end) = (r["start"].as_u64().unwrap(), r["end"].as_u64().unwrap());
        assert_eq!(r["text"], chars(&text, start as usize, end as usize));
        let scores = r["scores"].as_object().unwrap();
        assert_eq!(scores.len(), 5);
        for label in r["labels"].as_array().unwrap() {
            let score = scores[label.as_str().unwrap()].as_f64().unwrap();
            assert!(score >= 0.5, "{label} listed with score {score}");
        }
        assert!(r["model"].as_str().unwrap().contains('@'));
    }
}

#[test]
fn output_directory_gets_one_file_per_input_resumes_and_survives_bad_files() {
    let model = common::tiny_model();
    let inputs = tempfile::tempdir().unwrap();
    let seed = common::seeds_dir().join("001_528d4679ab6b29fd.txt");
    std::fs::copy(&seed, inputs.path().join("a.txt")).unwrap();
    std::fs::create_dir(inputs.path().join("sub")).unwrap();
    std::fs::write(
        inputs.path().join("sub/b.html"),
        "<html><body><h1>隐私政策</h1><p>我们会收集您的手机号码。</p></body></html>",
    )
    .unwrap();
    std::fs::write(inputs.path().join("empty.txt"), "").unwrap();
    std::fs::write(
        inputs.path().join("binary.txt"),
        [0u8, 159, 146, 150, 0, 1, 2],
    )
    .unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out_arg = format!("{}/", out_dir.path().display());
    let run = || {
        privclause(&[
            "label",
            inputs.path().to_str().unwrap(),
            "-o",
            &out_arg,
            "--resume",
            "--model",
            model.path().to_str().unwrap(),
        ])
    };
    let first = run();
    let stderr = String::from_utf8_lossy(&first.stderr).to_string();
    assert_eq!(first.status.code(), Some(1), "some inputs failed: {stderr}");
    assert!(
        stderr.contains("empty.txt") && stderr.contains("empty"),
        "{stderr}"
    );
    assert!(stderr.contains("binary.txt"), "{stderr}");
    let a = out_dir.path().join("a.txt.jsonl");
    let b = out_dir.path().join("sub/b.html.jsonl");
    assert!(jsonl(&std::fs::read_to_string(&a).unwrap()).len() > 20);
    let html_records = jsonl(&std::fs::read_to_string(&b).unwrap());
    assert!(html_records
        .iter()
        .any(|r| r["text"] == "我们会收集您的手机号码。"));
    assert!(!out_dir.path().join("empty.txt.jsonl").exists());

    let written = std::fs::metadata(&a).unwrap().modified().unwrap();
    let second = run();
    let stderr = String::from_utf8_lossy(&second.stderr).to_string();
    assert!(stderr.contains("2 up to date, skipped"), "{stderr}");
    assert_eq!(std::fs::metadata(&a).unwrap().modified().unwrap(), written);
    let leftovers: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left");
}

fn read_parquet_rows(path: &Path) -> (usize, Vec<String>) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = std::fs::File::open(path).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let metadata = reader.metadata();
    let rows = metadata.file_metadata().num_rows() as usize;
    let columns = metadata
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.path().string())
        .collect();
    (rows, columns)
}

#[test]
fn csv_parquet_and_input_units_formats() {
    let model = common::tiny_model();
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.jsonl");
    std::fs::write(
        &units,
        concat!(
            r#"{"id": "u1", "text": "我们会收集您的位置信息。", "context": "一、收集"}"#,
            "\n",
            r#"{"id": 2, "text": "您可以注销账号。"}"#,
            "\n"
        ),
    )
    .unwrap();
    let model_arg = model.path().to_str().unwrap();
    let out = privclause_ok(&[
        "label",
        "--input-units",
        units.to_str().unwrap(),
        "--model",
        model_arg,
    ]);
    let records = jsonl(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["id"], "u1");
    assert_eq!(records[1]["id"], "2");
    assert_eq!(records[1]["text"], "您可以注销账号。");

    let seed = common::seeds_dir().join("002_9278b4a68fcf515b.txt");
    let label_seed_as = |format: &str| {
        let path = dir.path().join(format!("out.{format}"));
        privclause_ok(&[
            "label",
            seed.to_str().unwrap(),
            "-o",
            path.to_str().unwrap(),
            "--format",
            format,
            "--model",
            model_arg,
        ]);
        path
    };
    let csv_path = label_seed_as("csv");
    let mut reader = csv::Reader::from_path(&csv_path).unwrap();
    let header = reader.headers().unwrap().clone();
    assert!(header.iter().any(|h| h == "score_exemptions"));
    let rows = reader.records().count();
    assert!(rows > 50);

    let parquet_path = label_seed_as("parquet");
    let (parquet_rows, columns) = read_parquet_rows(&parquet_path);
    assert_eq!(parquet_rows, rows, "same units in CSV and Parquet");
    for column in ["doc", "start", "text", "score_rights", "model"] {
        assert!(
            columns.iter().any(|c| c == column),
            "{column} in {columns:?}"
        );
    }
}

#[test]
fn a_missing_model_is_a_clear_error() {
    let seed = common::seeds_dir().join("000_d0d0b87ea02956c3.txt");
    let out = privclause(&[
        "label",
        seed.to_str().unwrap(),
        "--model",
        "/nonexistent/model",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/model"), "{stderr}");
}

#[test]
fn shards_cover_every_input_once() {
    let model = common::tiny_model();
    let seeds = common::seeds_dir();
    let run = |out: &Path, shard: Option<&str>| {
        let out_arg = format!("{}/", out.display());
        let mut args = vec![
            "label",
            seeds.to_str().unwrap(),
            "--model",
            model.path().to_str().unwrap(),
            "-o",
            &out_arg,
        ];
        if let Some(shard) = shard {
            args.extend(["--shard", shard]);
        }
        privclause_ok(&args);
    };
    let whole = tempfile::tempdir().unwrap();
    run(whole.path(), None);
    let files = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_else(|_| Vec::new())
            .into_iter()
            .map(|p: std::path::PathBuf| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let mut union = Vec::new();
    for i in 1..=3 {
        let part = tempfile::tempdir().unwrap();
        run(part.path(), Some(&format!("{i}/3")));
        union.extend(files(part.path()));
    }
    union.sort();
    assert_eq!(union, files(whole.path()), "no overlap, no gap");
    let bad = privclause(&["label", seeds.to_str().unwrap(), "--shard", "4/3"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("INDEX/COUNT"));
}
