//! Row softmax and its backward pass (training's attention probabilities).

use super::math::{exp_nonpositive, lanes_max, lanes_sum};
use super::{row_pairs_in_parallel, rows_in_parallel};

macro_rules! softmax_kernels {
    ($($attr:meta)?) => {
        use super::*;

        /// Softmax over each row of `x` (`width` values a row), in place.
        $(#[$attr])?
        pub(super) unsafe fn softmax_rows(x: &mut [f32], width: usize) {
            for row in x.chunks_exact_mut(width) {
                let max = lanes_max(row);
                for v in row.iter_mut() {
                    *v = exp_nonpositive(*v - max);
                }
                let inv = 1.0 / lanes_sum(row);
                for v in row.iter_mut() {
                    *v *= inv;
                }
            }
        }

        /// Softmax's backward pass for rows: `grad ← y·(grad − Σ grad·y)`, `y` the softmax.
        $(#[$attr])?
        pub(super) unsafe fn softmax_backward(grad: &mut [f32], y: &[f32], width: usize) {
            for (g, y) in grad.chunks_exact_mut(width).zip(y.chunks_exact(width)) {
                let mut acc = [0f32; 8];
                for (i, (g, y)) in g.iter().zip(y).enumerate() {
                    acc[i % 8] += g * y;
                }
                let dot = acc.iter().sum::<f32>();
                for (g, y) in g.iter_mut().zip(y) {
                    *g = y * (*g - dot);
                }
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    softmax_kernels!(target_feature(enable = "avx2,fma"));
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    softmax_kernels!(target_feature(
        enable = "avx512f,avx512bw,avx512vl,avx2,fma"
    ));
}

mod generic {
    #![allow(clippy::missing_safety_doc, unused_unsafe)]
    softmax_kernels!();
}

/// Softmax over each row of `width` values, in place.
pub fn softmax_rows(x: &mut [f32], width: usize) {
    #[allow(unused_unsafe)]
    rows_in_parallel(x, width, |x| unsafe { dispatch!(softmax_rows(x, width)) });
}

/// Softmax's backward pass: `grad ← y·(grad − Σ grad·y)` row by row, `y` the softmax output.
pub fn softmax_backward(grad: &mut [f32], y: &[f32], width: usize) {
    #[allow(unused_unsafe)]
    row_pairs_in_parallel(grad, y, width, |grad, y| unsafe {
        dispatch!(softmax_backward(grad, y, width))
    });
}
#[cfg(test)]
mod tests {
    use super::super::{has_avx2, has_avx512, test_values};
    use super::*;

    #[test]
    fn simd_twins_match_the_portable_kernels() {
        macro_rules! check {
            ($simd:ident) => {{
                let width = 19;
                let x = test_values(width * 4, 1);
                let (mut a, mut b) = (x.clone(), x.clone());
                // SAFETY: the CPU has the module's features (checked below).
                unsafe { $simd::softmax_rows(&mut a, width) };
                unsafe { generic::softmax_rows(&mut b, width) };
                assert_eq!(a, b, "softmax_rows");
                let grad = test_values(x.len(), 2);
                let (mut g_a, mut g_b) = (grad.clone(), grad);
                unsafe { $simd::softmax_backward(&mut g_a, &a, width) };
                unsafe { generic::softmax_backward(&mut g_b, &a, width) };
                assert_eq!(g_a, g_b, "softmax_backward");
                let sum: f32 = a[..width].iter().sum();
                assert!((sum - 1.0).abs() < 1e-5, "a softmax row sums to 1: {sum}");
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
