//! Labeling throughput with the shipped model on CAPP-130 units (tokenization included):
//! units/s per batch policy and thread count.
//!
//! `cargo bench --bench label`. The units are 128 units drawn evenly from the segmented
//! CAPP-130 policies, in document order; set `PRIVCLAUSE_MODEL` to bench another model.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use privclause::label::{BatchPolicy, Labeler};
use privclause::model::{context_of, ClauseModel};
use privclause::segment::{segment, SegmentOptions};
use std::path::PathBuf;

const UNITS: usize = 128;

/// `(text, context)` of units spread evenly over the corpus.
fn sample_units() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("../shared/corpora/capp130/policies");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let all: Vec<(String, String)> = paths
        .iter()
        .flat_map(|p| {
            let text = privclause::input::read_path(p).unwrap().text;
            segment("capp", &text, &SegmentOptions::default())
                .into_iter()
                .map(|u| (u.text.clone(), context_of(&u.section, u.lead.as_deref())))
                .collect::<Vec<_>>()
        })
        .collect();
    let step = all.len() / UNITS;
    all.into_iter().step_by(step.max(1)).take(UNITS).collect()
}

fn model_dir() -> PathBuf {
    std::env::var_os("PRIVCLAUSE_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/privclause-m3e-small")
        })
}

fn bench(c: &mut Criterion) {
    let units = sample_units();
    let pairs: Vec<(&str, String)> = units.iter().map(|(t, c)| (t.as_str(), c.clone())).collect();
    let dir = model_dir();
    let mut group = c.benchmark_group("label");
    group.throughput(Throughput::Elements(pairs.len() as u64));
    group.sample_size(10);
    let policies = [
        ("batch1", 1, 1),
        ("batch8_sorted", 8, 512),
        ("batch32_sorted", 32, 512),
        ("batch32_unsorted", 32, 1),
    ];
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for (name, batch_size, sort_window) in policies {
            let labeler = Labeler {
                model: ClauseModel::load(&dir).unwrap_or_else(|e| panic!("{e}")),
                policy: BatchPolicy {
                    batch_size,
                    sort_window,
                },
                threshold: None,
            };
            group.bench_function(format!("{name}/threads{threads}"), |b| {
                b.iter(|| pool.install(|| labeler.score_pairs(&pairs).unwrap().len()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
