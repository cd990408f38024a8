//! Hostile input and interrupted runs: deep HTML keeps its text, symbolic links are followed only
//! when asked, oversized files and model directories from someone else are refused with clear
//! errors, a run killed at random points and resumed ends with the uninterrupted run's output,
//! and a full disk leaves no partial output. Replays the fuzz corpora.

use crate::common::{self, privclause};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (relative, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn deeply_nested_html_keeps_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.html");
    let depth = 100_000;
    let html = format!(
        "<html><body>{}我们会收集您的手机号码。{}<p>您可以注销账户。</p></body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    std::fs::write(&path, html).unwrap();
    let out = privclause(&["segment", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let texts: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].to_string())
        .collect();
    assert_eq!(
        texts,
        ["\"我们会收集您的手机号码。\"", "\"您可以注销账户。\""]
    );
}

#[test]
fn symbolic_links_are_followed_only_with_follow() {
    let dir = tempfile::tempdir().unwrap();
    let seed = common::seeds_dir().join("003_f94399429406dde4.txt");
    std::os::unix::fs::symlink(&seed, dir.path().join("policy.txt")).unwrap();
    std::os::unix::fs::symlink(common::seeds_dir(), dir.path().join("seeds")).unwrap();
    let root = dir.path().to_str().unwrap();

    let skipped = privclause(&["segment", root]);
    assert_eq!(skipped.status.code(), Some(1), "nothing found is a failure");
    let err = stderr(&skipped);
    assert!(
        err.contains("skipped 2 symbolic link") && err.contains("--follow"),
        "{err}"
    );
    assert!(err.contains("no policy files"), "{err}");

    let followed = privclause(&["segment", "-L", root]);
    assert!(followed.status.success(), "{}", stderr(&followed));
    let direct = privclause(&["segment", seed.to_str().unwrap()]);
    let units = |out: &Output| String::from_utf8_lossy(&out.stdout).lines().count();
    let all_seeds = privclause(&["segment", common::seeds_dir().to_str().unwrap()]);
    assert_eq!(units(&followed), units(&direct) + units(&all_seeds));

    let empty = tempfile::tempdir().unwrap();
    let model = common::tiny_model();
    let out = privclause(&[
        "label",
        empty.path().to_str().unwrap(),
        "--model",
        model.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no policy files"), "{}", stderr(&out));
}

#[test]
fn oversized_files_are_refused_and_the_others_labeled() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.txt"), "我们会收集您的手机号码。\n").unwrap();
    let seed = common::seeds_dir().join("004_819197b14e8dded4.txt");
    std::fs::copy(seed, dir.path().join("big.txt")).unwrap();
    let limit = std::fs::metadata(dir.path().join("small.txt"))
        .unwrap()
        .len()
        .to_string();
    let model = common::tiny_model();
    let out_dir = tempfile::tempdir().unwrap();
    let out = privclause(&[
        "label",
        dir.path().to_str().unwrap(),
        "--model",
        model.path().to_str().unwrap(),
        "--max-file-size",
        &limit,
        "-o",
        &format!("{}/", out_dir.path().display()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("big.txt: larger than the") && err.contains("--max-file-size"),
        "{err}"
    );
    let written: Vec<PathBuf> = tree(out_dir.path()).into_keys().collect();
    assert_eq!(written, [PathBuf::from("small.txt.jsonl")]);
}

#[test]
fn model_directories_are_data_not_code() {
    // Only safetensors are loaded at run time: a pickled checkpoint alone is not a model.
    let model = common::tiny_model();
    let dir = model.path();
    let weights = dir.join("model.safetensors");
    std::fs::rename(&weights, dir.join("pytorch_model.bin")).unwrap();
    let load = |dir: &Path| match privclause::label::Labeler::load(dir.to_str(), None) {
        Ok(_) => String::new(),
        Err(e) => privclause::describe_error(&e),
    };
    let err = load(dir);
    assert!(err.contains("model.safetensors: missing"), "{err}");
    std::fs::rename(dir.join("pytorch_model.bin"), &weights).unwrap();
    assert_eq!(load(dir), "", "the model loads again");

    // Absurd sizes are refused from config.json before anything is allocated from them.
    let config_path = dir.join("config.json");
    let config = std::fs::read_to_string(&config_path).unwrap();
    for (key, value) in [
        ("vocab_size", 1_000_000_000_000u64),
        ("num_hidden_layers", 1_000_000),
        ("hidden_size", 1 << 40),
        ("num_attention_heads", 0),
    ] {
        let mut json: serde_json::Value = serde_json::from_str(&config).unwrap();
        json[key] = value.into();
        std::fs::write(&config_path, json.to_string()).unwrap();
        let err = load(dir);
        assert!(
            err.contains("config.json") && err.contains(key),
            "{key}: {err}"
        );
    }
    std::fs::write(&config_path, &config).unwrap();

    // A tokenizer whose vocabulary is not the model's is refused.
    let tokenizer_path = dir.join("tokenizer.json");
    let mut tokenizer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&tokenizer_path).unwrap()).unwrap();
    tokenizer["model"]["vocab"]
        .as_object_mut()
        .unwrap()
        .retain(|token, _| token.starts_with('[') || token.len() == 1);
    std::fs::write(&tokenizer_path, tokenizer.to_string()).unwrap();
    let err = load(dir);
    assert!(
        err.contains("tokenizer.json") && err.contains("vocab_size"),
        "{err}"
    );
}

/// A corpus of `n` small policies (seed excerpts) in a fresh directory.
fn small_corpus(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let seeds: Vec<String> = std::fs::read_dir(common::seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for i in 0..n {
        let text: String = seeds[i % seeds.len()]
            .chars()
            .skip(i * 97)
            .take(1500)
            .collect();
        std::fs::write(dir.path().join(format!("policy_{i:02}.txt")), text).unwrap();
    }
    dir
}

#[test]
fn a_run_killed_at_random_points_and_resumed_ends_as_an_uninterrupted_run() {
    let model = common::tiny_model();
    let corpus = small_corpus(24);
    let label_args = |out: &Path| -> Vec<String> {
        [
            "label",
            corpus.path().to_str().unwrap(),
            "--model",
            model.path().to_str().unwrap(),
            "--threads",
            "1",
            "--resume",
            "-o",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("{}/", out.display())])
        .collect()
    };
    let reference = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_privclause"))
        .args(label_args(reference.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let full_run = started.elapsed();
    let expected = tree(reference.path());
    assert_eq!(expected.len(), 24);

    // Kill points spread over the first tenth of a run (deterministic pseudo-random order):
    // every run resumes where the last one stopped, so 20 of them cover about half the work.
    let interrupted = tempfile::tempdir().unwrap();
    let mut kills = 0;
    for i in 0..20u64 {
        let fraction = ((i * 7919) % 20) as f64 / 200.0;
        let delay = full_run.mul_f64(fraction).max(Duration::from_millis(5));
        let mut child = Command::new(env!("CARGO_BIN_EXE_privclause"))
            .args(label_args(interrupted.path()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            // SIGKILL: no destructor or handler runs.
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        for (path, bytes) in tree(interrupted.path()) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(".privclause-") {
                continue; // a temporary file the next run removes
            }
            assert_eq!(
                Some(&bytes),
                expected.get(&path),
                "{name} is whole or absent"
            );
        }
    }
    assert!(
        kills >= 15,
        "only {kills} runs were still going when killed"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_privclause"))
        .args(label_args(interrupted.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tree(interrupted.path()), expected);
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_no_partial_file() {
    // A 64 KiB tmpfs in a private mount namespace (as root, or as a user through a user
    // namespace); its contents are listed from inside, before the namespace goes away.
    let model = common::tiny_model();
    let mount_point = tempfile::tempdir().unwrap();
    let script = format!(
        "mount -t tmpfs -o size=64k tmpfs {mnt} || exit 99; \
         {bin} label {seeds} --model {model} -o {mnt}/out/; echo \"exit=$?\"; \
         ls -A {mnt}/out; for f in {mnt}/out/*.jsonl; do echo \"$f $(wc -l < $f)\"; done",
        mnt = mount_point.path().display(),
        bin = env!("CARGO_BIN_EXE_privclause"),
        seeds = common::seeds_dir().display(),
        model = model.path().display(),
    );
    let unshare = if is_root() {
        vec!["-m"]
    } else {
        vec!["-r", "-m"]
    };
    let out = Command::new("unshare")
        .args(&unshare)
        .args(["sh", "-c", &script])
        .env_remove("PRIVCLAUSE_MODEL")
        .output()
        .expect("unshare runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ne!(
        out.status.code(),
        Some(99),
        "tmpfs mount failed: {}",
        stderr(&out)
    );
    assert!(stdout.contains("exit=1"), "{stdout}\n{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("No space left on device") && err.contains(".jsonl: writing"),
        "{err}"
    );
    assert!(
        !stdout.contains(".privclause-"),
        "no temporary file left: {stdout}"
    );
    // Every output that exists is whole: as many lines as the seed has units.
    let segment = |name: &str| {
        let path = common::seeds_dir().join(name);
        String::from_utf8_lossy(&privclause(&["segment", path.to_str().unwrap()]).stdout)
            .lines()
            .count()
    };
    let mut whole = 0;
    for line in stdout
        .lines()
        .filter(|l| l.ends_with(|c: char| c.is_ascii_digit()))
    {
        let Some((path, lines)) = line.rsplit_once(' ') else {
            continue;
        };
        let Some(name) = Path::new(path).file_name().map(|n| n.to_string_lossy()) else {
            continue;
        };
        let Some(seed) = name.strip_suffix(".jsonl") else {
            continue;
        };
        assert_eq!(
            lines.parse::<usize>().unwrap(),
            segment(seed),
            "{name} is whole"
        );
        whole += 1;
    }
    assert!(
        whole < 5,
        "the disk filled before every seed was written: {stdout}"
    );
}

/// Whether this process runs as root (root needs no user namespace to mount).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

#[test]
fn fuzz_corpora_and_regressions_replay_without_panics() {
    let fuzz = common::repo().join("fuzz");
    let mut replayed = 0;
    for target in ["input", "input_units"] {
        for dir in [
            fuzz.join("corpus").join(target),
            fuzz.join("regressions").join(target),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let bytes = std::fs::read(entry.unwrap().path()).unwrap();
                match target {
                    "input" => privclause::fixtures::check_input(&bytes),
                    _ => privclause::fixtures::check_input_units(&String::from_utf8_lossy(&bytes)),
                }
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 9, "{replayed} inputs replayed");
}
