//! GELU: the intermediate layer's bias + GELU (inference) and GELU's forward and backward
//! passes (training).

use super::math::{gelu, gelu_derivative};
use super::{row_pairs_in_parallel, rows_in_parallel, ROWS_PER_TASK};
use rayon::prelude::*;

macro_rules! activation_kernels {
    ($($attr:meta)?) => {
        use super::*;

        /// `x ← gelu(x + bias)` for each row of `x`.
        $(#[$attr])?
        pub(super) unsafe fn bias_gelu(x: &mut [f32], bias: &[f32]) {
            for row in x.chunks_exact_mut(bias.len()) {
                for (v, b) in row.iter_mut().zip(bias) {
                    *v = gelu(*v + b);
                }
            }
        }

        /// `x ← gelu(x)`, element-wise.
        $(#[$attr])?
        pub(super) unsafe fn gelu_in_place(x: &mut [f32]) {
            for v in x.iter_mut() {
                *v = gelu(*v);
            }
        }

        /// `grad ← grad · gelu′(x)`, element-wise: GELU's backward pass.
        $(#[$attr])?
        pub(super) unsafe fn gelu_backward(grad: &mut [f32], x: &[f32]) {
            for (g, &x) in grad.iter_mut().zip(x) {
                *g *= gelu_derivative(x);
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    activation_kernels!(target_feature(enable = "avx2,fma"));
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    activation_kernels!(target_feature(
        enable = "avx512f,avx512bw,avx512vl,avx2,fma"
    ));
}

mod generic {
    #![allow(clippy::missing_safety_doc, unused_unsafe)]
    activation_kernels!();
}

/// `x ← gelu(x + bias)`, row by row (`x` is `[rows, bias.len()]`), rows in parallel.
pub fn bias_gelu(x: &mut [f32], bias: &[f32]) {
    x.par_chunks_mut(bias.len() * ROWS_PER_TASK)
        .for_each(|chunk| bias_gelu_serial(chunk, bias));
}

fn bias_gelu_serial(x: &mut [f32], bias: &[f32]) {
    // SAFETY (generic): no target features are assumed.
    #[allow(unused_unsafe)]
    unsafe {
        dispatch!(bias_gelu(x, bias))
    }
}

/// `x ← gelu(x)` (`x` is rows of `width`).
pub fn gelu_in_place(x: &mut [f32], width: usize) {
    #[allow(unused_unsafe)]
    rows_in_parallel(x, width, |x| unsafe { dispatch!(gelu_in_place(x)) });
}

/// GELU's backward pass: `grad ← grad · gelu′(x)`.
pub fn gelu_backward(grad: &mut [f32], x: &[f32], width: usize) {
    #[allow(unused_unsafe)]
    row_pairs_in_parallel(grad, x, width, |grad, x| unsafe {
        dispatch!(gelu_backward(grad, x))
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
                let bias = test_values(24, 1);
                let x = test_values(24 * 5, 2);
                let (mut a, mut b) = (x.clone(), x.clone());
                // SAFETY: the CPU has the module's features (checked below).
                unsafe { $simd::bias_gelu(&mut a, &bias) };
                unsafe { generic::bias_gelu(&mut b, &bias) };
                assert_eq!(a, b, "bias_gelu");
                let (mut a, mut b) = (x.clone(), x.clone());
                unsafe { $simd::gelu_in_place(&mut a) };
                unsafe { generic::gelu_in_place(&mut b) };
                assert_eq!(a, b, "gelu_in_place");
                let grad = test_values(x.len(), 3);
                let (mut a, mut b) = (grad.clone(), grad);
                unsafe { $simd::gelu_backward(&mut a, &x) };
                unsafe { generic::gelu_backward(&mut b, &x) };
                assert_eq!(a, b, "gelu_backward");
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
