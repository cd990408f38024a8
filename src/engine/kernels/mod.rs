//! Hand-written CPU kernels, one file per job: the element-wise and attention work that
//! candle runs as many small unfused ops (each allocating, each on its own thread pool), for the
//! inference path, and the fused forward and backward passes of training's GELU, layer norm and
//! softmax.
//!
//! Every kernel is plain Rust written so that LLVM vectorises it, compiled three times: for the
//! baseline target (`generic`), with AVX2 + FMA (`avx2`) and with AVX-512 (`avx512`), picked at
//! run time. Each file tests its SIMD kernels against their portable twins.

use rayon::prelude::*;

/// Runs `$name` compiled with AVX-512 (F, BW, VL) when the CPU has it, else with AVX2 and FMA
/// when it has them, else for the baseline target. The three compile the same source, whose
/// float operations LLVM may not reorder: they give identical results.
macro_rules! dispatch {
    ($name:ident($($arg:expr),*)) => {{
        #[cfg(target_arch = "x86_64")]
        {
            if $crate::engine::kernels::has_avx512() {
                // SAFETY: the CPU supports the features the function is compiled for.
                return unsafe { avx512::$name($($arg),*) };
            }
            if $crate::engine::kernels::has_avx2() {
                // SAFETY: the CPU supports the features the function is compiled for.
                return unsafe { avx2::$name($($arg),*) };
            }
        }
        generic::$name($($arg),*)
    }};
}

mod activation;
mod attention;
mod math;
mod norm;
mod softmax;

pub use activation::{bias_gelu, gelu_backward, gelu_in_place};
pub use attention::{attention, first_row_attention};
pub use norm::{bias_residual_norm, norm_backward, norm_parameter_grads, norm_rows, NormParams};
pub use softmax::{softmax_backward, softmax_rows};

/// Rows that one rayon task takes in row-wise kernels (a task per row is too fine).
const ROWS_PER_TASK: usize = 16;

/// Runs `kernel` over `x` in parallel, a task taking [`ROWS_PER_TASK`] rows of `width`.
fn rows_in_parallel(x: &mut [f32], width: usize, kernel: impl Fn(&mut [f32]) + Send + Sync) {
    x.par_chunks_mut(width.max(1) * ROWS_PER_TASK)
        .for_each(kernel);
}

/// Runs `kernel` over the same rows of `x` and `other` in parallel (see [`rows_in_parallel`]).
fn row_pairs_in_parallel(
    x: &mut [f32],
    other: &[f32],
    width: usize,
    kernel: impl Fn(&mut [f32], &[f32]) + Send + Sync,
) {
    let chunk = width.max(1) * ROWS_PER_TASK;
    x.par_chunks_mut(chunk)
        .zip(other.par_chunks(chunk))
        .for_each(|(x, other)| kernel(x, other));
}

/// Whether this CPU runs the AVX-512 twins (which also use AVX2 and FMA instructions).
fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && has_avx2()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether this CPU runs the AVX2 twins (AVX2 and FMA).
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Deterministic values in about [-3, 3] for kernel tests.
#[cfg(test)]
fn test_values(n: usize, seed: u32) -> Vec<f32> {
    (0..n as u32)
        .map(|i| {
            let h = (i ^ seed).wrapping_mul(2_654_435_761).rotate_left(13) ^ seed;
            (h % 6001) as f32 / 1000.0 - 3.0
        })
        .collect()
}
