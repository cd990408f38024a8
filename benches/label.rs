//! The whole `label` pipeline on CAPP-130 policies: read and decode the file, segment, encode,
//! score, build the records. Units/s, 2 threads, per precision and batch policy.
//!
//! `cargo bench --bench label`. Two CAPP-130 policies (the 10th and 20th by file name); set
//! `PRIVCLAUSE_MODEL` to bench another model.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use privclause::label::{BatchPolicy, Labeler};
use privclause::model::{ClauseModel, Precision};
use std::path::PathBuf;

fn policies() -> Vec<PathBuf> {
    let paths = common::capp_policies();
    vec![paths[10].clone(), paths[20].clone()]
}

/// Labels every policy file end to end; returns the number of labeled units.
fn label_files(labeler: &Labeler, paths: &[PathBuf]) -> usize {
    paths
        .iter()
        .map(|path| labeler.label_file(path, false).unwrap().len())
        .sum()
}

fn bench(c: &mut Criterion) {
    let paths = policies();
    let dir = common::model_dir();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("label");
    group.sample_size(10);
    for precision in [Precision::F32, Precision::Int8] {
        for (name, batch_size) in [("batch8_sorted", 8), ("batch32_sorted", 32)] {
            let model =
                ClauseModel::load_as(&dir, Some(precision)).unwrap_or_else(|e| panic!("{e}"));
            let mut labeler = Labeler::new(model).unwrap_or_else(|e| panic!("{e}"));
            labeler.policy = BatchPolicy {
                batch_size,
                sort_window: 512,
            };
            let units = pool.install(|| label_files(&labeler, &paths));
            group.throughput(Throughput::Elements(units as u64));
            let id = format!("{precision:?}/{name}/threads2").to_lowercase();
            group.bench_function(id, |b| {
                b.iter(|| pool.install(|| label_files(&labeler, &paths)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
