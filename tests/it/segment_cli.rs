//! The `segment` subcommand: JSONL out, per-file errors on stderr, exit code 1 when a file failed.

use std::process::Command;

fn privclause() -> Command {
    Command::new(env!("CARGO_BIN_EXE_privclause"))
}

#[test]
fn bad_files_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("b");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(
        dir.path().join("a.txt"),
        "一、定义\n我们收集信息。您同意：\n1. 姓名；\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("empty.txt"), "").unwrap();
    std::fs::write(sub.join("bin.md"), [0u8, 159, 146, 150, 0, 1]).unwrap();
    std::fs::write(
        sub.join("c.html"),
        "<html><body><p>第二份。</p></body></html>",
    )
    .unwrap();
    std::fs::write(sub.join("skip.pdf"), "ignored").unwrap();

    let out = privclause()
        .arg("segment")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("empty.txt") && stderr.contains("empty file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bin.md") && stderr.contains("binary"),
        "{stderr}"
    );
    assert!(!stderr.contains("skip.pdf"));

    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("\"text\":\"我们收集信息。\""),
        "Chinese is not escaped"
    );
    let units: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let texts: Vec<&str> = units.iter().map(|u| u["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "一、定义",
            "我们收集信息。",
            "您同意：",
            "1. 姓名；",
            "第二份。"
        ]
    );
    assert_eq!(units[3]["kind"], "list_item");
    assert_eq!(units[3]["lead"], "您同意：");
    assert_eq!(units[3]["section"][0], "一、定义");
}

#[test]
fn stdin_and_success_exit() {
    use std::io::Write;
    let mut child = privclause()
        .args(["segment", "-", "--max-unit-chars", "4"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("甲乙丙丁戊己。".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("\"doc\":\"-\""));
}
