//! The dense-layer GEMMs alone (`F32Matrix`, `Int8Matrix`), single-threaded, at the shipped
//! encoder's shapes and at row counts a forward pass produces: 1 (the last layer's `[CLS]` row
//! at batch 1), 2 and 3 (a unit's rows left over after tiles of 4), 45 (one mean-length unit) and 360 (a batch of 8).
//! Elements are multiply-adds, so the throughput reads as MAC/s.
//!
//! Group `gemm_bf16_training` (CPUs with AMX-BF16 only): training's bf16 products at a training
//! step's row count (16 sequences of 90 tokens) for the FFN's first layer — forward `x·Wᵀ`, the
//! input gradient `dy·W` and the weight gradient `dyᵀ·x` — packing from f32 included.
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

#[cfg(target_arch = "x86_64")]
fn bench_bf16_training(c: &mut Criterion) {
    use privclause::engine::gemm_bf16::{available, matmul, MatrixView};
    if !available() {
        eprintln!("gemm_bf16_training skipped: no AMX-BF16 on this CPU");
        return;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let (rows, inp, out) = (1440, 512, 2048);
    let x = values(rows * inp, 11);
    let w = values(out * inp, 7);
    let dy = values(rows * out, 13);
    let view = |data, rows, cols, transposed: bool| MatrixView {
        data,
        rows,
        cols,
        row_stride: if transposed { 1 } else { cols },
        col_stride: if transposed { rows } else { 1 },
    };
    let mut group = c.benchmark_group("gemm_bf16_training");
    group.throughput(Throughput::Elements((rows * out * inp) as u64));
    group.sample_size(20);
    group.bench_function("forward_x_wt", |b| {
        b.iter(|| {
            pool.install(|| matmul(view(&x, rows, inp, false), view(&w, inp, out, true), None))
        })
    });
    group.bench_function("input_grad_dy_w", |b| {
        b.iter(|| {
            pool.install(|| matmul(view(&dy, rows, out, false), view(&w, out, inp, false), None))
        })
    });
    group.bench_function("weight_grad_dyt_x", |b| {
        b.iter(|| {
            pool.install(|| matmul(view(&dy, out, rows, true), view(&x, rows, inp, false), None))
        })
    });
    group.finish();
}

#[cfg(not(target_arch = "x86_64"))]
fn bench_bf16_training(_: &mut Criterion) {}

criterion_group!(benches, bench, bench_bf16_training);
criterion_main!(benches);
