//! Encoder forward throughput (no tokenization): the shipped model on pre-encoded CAPP-130
//! units, per batch policy, precision and thread count. Units/s.
//!
//! `cargo bench --bench encoder`. 128 units drawn evenly from the segmented CAPP-130
//! policies, in document order; set `PRIVCLAUSE_MODEL` to bench another model.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use privclause::label::{BatchPolicy, Labeler};
use privclause::model::{ClauseModel, EncodedUnit, Precision};
use privclause::segment::{context_of, segment, SegmentOptions};

const UNITS: usize = 128;

/// Units spread evenly over the corpus, encoded by `model`.
fn sample_units(model: &ClauseModel) -> Vec<EncodedUnit> {
    let units: Vec<_> = common::capp_policies()
        .iter()
        .flat_map(|p| {
            let text = privclause::input::read_path(p).unwrap().text;
            segment("capp", &text, &SegmentOptions::default())
        })
        .collect();
    let step = (units.len() / UNITS).max(1);
    units
        .iter()
        .step_by(step)
        .take(UNITS)
        .map(|u| {
            let context = context_of(u.section(), u.lead());
            model.encode(&u.text, &context).unwrap()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let dir = common::model_dir();
    let mut group = c.benchmark_group("encoder");
    group.sample_size(10);
    let policies = [
        ("batch1", 1, 1),
        ("batch8_sorted", 8, 512),
        ("batch32_sorted", 32, 512),
        ("batch32_unsorted", 32, 1),
    ];
    for precision in [Precision::F32, Precision::Int8] {
        let model = ClauseModel::load_as(&dir, Some(precision)).unwrap_or_else(|e| panic!("{e}"));
        let units = sample_units(&model);
        let mut labeler = Labeler::new(model).unwrap_or_else(|e| panic!("{e}"));
        group.throughput(Throughput::Elements(units.len() as u64));
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for (name, batch_size, sort_window) in policies {
                labeler.policy = BatchPolicy {
                    batch_size,
                    sort_window,
                };
                let id = format!("{precision:?}/{name}/threads{threads}").to_lowercase();
                group.bench_function(id, |b| {
                    b.iter(|| pool.install(|| labeler.score_encoded(&units).len()))
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
