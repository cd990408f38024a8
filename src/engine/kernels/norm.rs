//! Layer norm: bias + residual + norm (inference), and the norm's forward and backward passes
//! (training).

use super::math::mean_and_inverse_deviation;
use super::{row_pairs_in_parallel, rows_in_parallel, ROWS_PER_TASK};
use rayon::prelude::*;

/// Layer-norm parameters of one norm plus the bias added before it.
pub struct NormParams<'a> {
    pub bias: &'a [f32],
    pub gamma: &'a [f32],
    pub beta: &'a [f32],
    pub eps: f32,
}

/// Normalises `row` in place and applies gamma and beta.
#[inline(always)]
fn normalize(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let (mean, inv) = mean_and_inverse_deviation(row, eps);
    for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *v = ((*v - mean) * inv).mul_add(*g, *b);
    }
}

macro_rules! norm_kernels {
    ($($attr:meta)?) => {
        use super::*;

        /// `x ← layer_norm(x + bias + residual)` for each row.
        $(#[$attr])?
        pub(super) unsafe fn bias_residual_norm(
            x: &mut [f32],
            residual: &[f32],
            params: &NormParams<'_>,
        ) {
            let width = params.bias.len();
            for (row, res) in x.chunks_exact_mut(width).zip(residual.chunks_exact(width)) {
                for ((v, r), b) in row.iter_mut().zip(res).zip(params.bias) {
                    *v += r + b;
                }
                normalize(row, params.gamma, params.beta, params.eps);
            }
        }

        /// `x ← layer_norm(x)·gamma + beta` for each row.
        $(#[$attr])?
        pub(super) unsafe fn norm_rows(x: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
            for row in x.chunks_exact_mut(gamma.len()) {
                normalize(row, gamma, beta, eps);
            }
        }

        /// Layer norm's backward pass for rows of `x`: `grad` (the output's gradient) becomes
        /// the input's gradient.
        $(#[$attr])?
        pub(super) unsafe fn norm_backward(grad: &mut [f32], x: &[f32], gamma: &[f32], eps: f32) {
            let width = gamma.len();
            let n = width as f32;
            for (g, x) in grad.chunks_exact_mut(width).zip(x.chunks_exact(width)) {
                let (mean, inv) = mean_and_inverse_deviation(x, eps);
                // dy = g·gamma; dx = inv·(dy − mean(dy) − x̂·mean(dy·x̂)).
                let (mut sum_dy, mut sum_dy_xhat) = ([0f32; 8], [0f32; 8]);
                for (i, ((g, x), gamma)) in g.iter().zip(x).zip(gamma).enumerate() {
                    let dy = g * gamma;
                    sum_dy[i % 8] += dy;
                    sum_dy_xhat[i % 8] += dy * (x - mean) * inv;
                }
                let a = sum_dy.iter().sum::<f32>() / n;
                let b = sum_dy_xhat.iter().sum::<f32>() / n;
                for ((g, x), gamma) in g.iter_mut().zip(x).zip(gamma) {
                    let xhat = (x - mean) * inv;
                    *g = inv * (*g * gamma - a - xhat * b);
                }
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    norm_kernels!(target_feature(enable = "avx2,fma"));
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    norm_kernels!(target_feature(
        enable = "avx512f,avx512bw,avx512vl,avx2,fma"
    ));
}

mod generic {
    #![allow(clippy::missing_safety_doc, unused_unsafe)]
    norm_kernels!();
}

/// `x ← layer_norm(x + bias + residual)`, row by row, rows in parallel.
pub fn bias_residual_norm(x: &mut [f32], residual: &[f32], params: &NormParams<'_>) {
    let chunk = params.bias.len() * ROWS_PER_TASK;
    x.par_chunks_mut(chunk)
        .zip(residual.par_chunks(chunk))
        .for_each(|(x, residual)| bias_residual_norm_serial(x, residual, params));
}

fn bias_residual_norm_serial(x: &mut [f32], residual: &[f32], params: &NormParams<'_>) {
    #[allow(unused_unsafe)]
    unsafe {
        dispatch!(bias_residual_norm(x, residual, params))
    }
}

/// `x ← layer_norm(x)·gamma + beta`, row by row (rows of `gamma.len()`).
pub fn norm_rows(x: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    #[allow(unused_unsafe)]
    rows_in_parallel(x, gamma.len(), |x| unsafe {
        dispatch!(norm_rows(x, gamma, beta, eps))
    });
}

/// Layer norm's backward pass for the input: `grad` (of the output) becomes the gradient of
/// `x`.
pub fn norm_backward(grad: &mut [f32], x: &[f32], gamma: &[f32], eps: f32) {
    #[allow(unused_unsafe)]
    row_pairs_in_parallel(grad, x, gamma.len(), |grad, x| unsafe {
        dispatch!(norm_backward(grad, x, gamma, eps))
    });
}

/// Layer norm's gradients for gamma and beta: `(Σ grad·x̂, Σ grad)` over the rows.
pub fn norm_parameter_grads(
    grad: &[f32],
    x: &[f32],
    width: usize,
    eps: f32,
) -> (Vec<f32>, Vec<f32>) {
    let chunk = width * ROWS_PER_TASK;
    grad.par_chunks(chunk)
        .zip(x.par_chunks(chunk))
        .map(|(grad, x)| {
            let (mut gamma, mut beta) = (vec![0f32; width], vec![0f32; width]);
            for (g, x) in grad.chunks_exact(width).zip(x.chunks_exact(width)) {
                let (mean, inv) = mean_and_inverse_deviation(x, eps);
                for (((dg, db), g), x) in gamma.iter_mut().zip(beta.iter_mut()).zip(g).zip(x) {
                    *dg += g * (x - mean) * inv;
                    *db += g;
                }
            }
            (gamma, beta)
        })
        // Partial sums collected, then added in row order: rayon's `reduce` combines them in
        // whatever order tasks finish, and float additions in another order round differently.
        .collect::<Vec<_>>()
        .into_iter()
        .fold(
            (vec![0f32; width], vec![0f32; width]),
            |(mut ga, mut ba), (gb, bb)| {
                ga.iter_mut().zip(gb).for_each(|(a, b)| *a += b);
                ba.iter_mut().zip(bb).for_each(|(a, b)| *a += b);
                (ga, ba)
            },
        )
}
#[cfg(test)]
mod tests {
    use super::super::{has_avx2, has_avx512, test_values};
    use super::*;

    #[test]
    fn layer_norm_rows_have_zero_mean_unit_variance() {
        let width = 16;
        let mut x: Vec<f32> = (0..width * 3).map(|i| (i * 7 % 11) as f32).collect();
        let residual = vec![1.0; x.len()];
        let zeros = vec![0.0; width];
        let ones = vec![1.0; width];
        let params = NormParams {
            bias: &zeros,
            gamma: &ones,
            beta: &zeros,
            eps: 1e-12,
        };
        bias_residual_norm(&mut x, &residual, &params);
        for row in x.chunks(width) {
            let mean = row.iter().sum::<f32>() / width as f32;
            let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / width as f32;
            assert!(
                mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4,
                "{mean} {var}"
            );
        }
    }

    #[test]
    fn simd_twins_match_the_portable_kernels() {
        macro_rules! check {
            ($simd:ident) => {{
                let width = 20;
                let (bias, gamma, beta) = (
                    test_values(width, 1),
                    test_values(width, 2),
                    test_values(width, 3),
                );
                let x = test_values(width * 6, 4);
                let residual = test_values(x.len(), 5);
                let params = NormParams {
                    bias: &bias,
                    gamma: &gamma,
                    beta: &beta,
                    eps: 1e-12,
                };
                let (mut a, mut b) = (x.clone(), x.clone());
                // SAFETY: the CPU has the module's features (checked below).
                unsafe { $simd::bias_residual_norm(&mut a, &residual, &params) };
                unsafe { generic::bias_residual_norm(&mut b, &residual, &params) };
                assert_eq!(a, b, "bias_residual_norm");
                let (mut a, mut b) = (x.clone(), x.clone());
                unsafe { $simd::norm_rows(&mut a, &gamma, &beta, 1e-12) };
                unsafe { generic::norm_rows(&mut b, &gamma, &beta, 1e-12) };
                assert_eq!(a, b, "norm_rows");
                let (mut a, mut b) = (residual.clone(), residual);
                unsafe { $simd::norm_backward(&mut a, &x, &gamma, 1e-12) };
                unsafe { generic::norm_backward(&mut b, &x, &gamma, 1e-12) };
                assert_eq!(a, b, "norm_backward");
            }};
        }
        if has_avx2() {
            check!(avx2);
        }
        if has_avx512() {
            check!(avx512);
        }
    }
}
