//! Segmentation throughput on the whole CAPP-130 corpus (decoded text in memory; one core).
//!
//! `cargo bench --bench segment` reports MB/s of UTF-8 input.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use privclause::segment::{segment, SegmentOptions};
use std::hint::black_box;

fn corpus() -> Vec<String> {
    common::capp_policies()
        .iter()
        .map(|p| privclause::input::read_path(p).unwrap().text)
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let opts = SegmentOptions::default();
    let mut group = c.benchmark_group("segment");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("capp130", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| segment("capp", black_box(t), &opts).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
