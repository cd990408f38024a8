//! The dense-layer GEMMs alone (`F32Matrix`, `Int8Matrix`), single-threaded, at the shipped
//! encoder's shapes and at row counts a forward pass produces: 1 (the last layer's `[CLS]` row
//! at batch 1), 2 and 3 (a unit's rows left over after tiles of 4), 45 (one mean-length unit) and 360 (a batch of 8).
//! Elements are multiply-adds, so the throughput reads as MAC/s.
//!
//! `cargo bench --bench gemm`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use privclause::engine::{F32Matrix, Int8Matrix};

/// (name, out, in): the fused Q/K/V projection, the FFN's two products.
const SHAPES: [(&str, usize, usize); 3] = [
    ("qkv_512x1536", 1536, 512),
    ("ffn_in_512x2048", 2048, 512),
    ("ffn_out_2048x512", 512, 2048),
];
const ROWS: [usize; 5] = [1, 2, 3, 45, 360];

/// Deterministic values in [-0.5, 0.5), rounded to f16 (as the shipped weights are).
fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            half::f16::from_f32((s >> 8) as f32 / (1u32 << 24) as f32 - 0.5).to_f32()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("gemm");
    for (name, out, inp) in SHAPES {
        let weights = values(out * inp, 7);
        let f32_matrix = F32Matrix::pack(&weights, out, inp);
        let int8_matrix = Int8Matrix::quantize(&weights, out, inp);
        for rows in ROWS {
            let x = values(rows * inp, 11);
            group.throughput(Throughput::Elements((rows * out * inp) as u64));
            group.bench_with_input(BenchmarkId::new(format!("f32/{name}"), rows), &x, |b, x| {
                b.iter(|| pool.install(|| f32_matrix.matmul(x, rows)))
            });
            group.bench_with_input(
                BenchmarkId::new(format!("int8/{name}"), rows),
                &x,
                |b, x| b.iter(|| pool.install(|| int8_matrix.matmul(x, rows))),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
