//! The fp32 GEMM rate this machine sustains through candle (the `gemm` crate), the yardstick
//! for the encoder's rate in `benches/README.md`.
//!
//! `cargo run --release --example sgemm_peak -- [threads]` (default 2): square products of
//! 1024, 2048 and 3072, best of 5 each, in GFLOP/s.

use candle_core::{Device, Tensor};

fn main() -> candle_core::Result<()> {
    let threads: usize = std::env::args()
        .nth(1)
        .map(|t| t.parse().expect("threads: a number"))
        .unwrap_or(2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    for n in [1024usize, 2048, 3072] {
        let a = Tensor::randn(0f32, 1.0, (n, n), &Device::Cpu)?;
        let b = Tensor::randn(0f32, 1.0, (n, n), &Device::Cpu)?;
        let best = pool.install(|| -> candle_core::Result<f64> {
            a.matmul(&b)?;
            let mut best = f64::INFINITY;
            for _ in 0..5 {
                let start = std::time::Instant::now();
                a.matmul(&b)?;
                best = best.min(start.elapsed().as_secs_f64());
            }
            Ok(best)
        })?;
        let gflops = 2.0 * (n as f64).powi(3) / best / 1e9;
        println!("{n}x{n}x{n}, {threads} threads: {gflops:.1} GFLOP/s");
    }
    Ok(())
}
