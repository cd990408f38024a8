//! Hand-written CPU kernels: the element-wise and attention work that candle runs as many
//! small unfused ops (each allocating, each on its own thread pool), for the inference path,
//! and the fused forward and backward passes of training's GELU, layer norm and softmax
//! ([`super::fused`]).
//!
//! Every kernel is plain Rust written so that LLVM vectorises it, compiled twice: once for
//! the baseline target and once with AVX2 + FMA, picked at run time.

use rayon::prelude::*;

/// Runs `$body` compiled with AVX2 and FMA when the CPU has them, else for the baseline target.
macro_rules! dispatch {
    ($name:ident($($arg:expr),*)) => {{
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                // SAFETY: the CPU supports the features the function is compiled for.
                return unsafe { avx2::$name($($arg),*) };
            }
        }
        generic::$name($($arg),*)
    }};
}

/// Rows that one rayon task takes in row-wise kernels (a task per row is too fine).
const ROWS_PER_TASK: usize = 16;

/// `exp(x)` for `x ≤ 0` to about 2 ulp, branch-free so that it vectorises; inputs below
/// −87 give `exp(−87)` (never a denormal, never libm's slow path), positive ones give 1.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    // `max` maps NaN to −87: `n` below is always finite and within −126..=0.
    #[allow(clippy::manual_clamp)]
    let x = x.max(-87.0).min(0.0);
    // x = n·ln2 + r, |r| ≤ ln2/2.
    let n = (x * std::f32::consts::LOG2_E + 12_582_912.0) - 12_582_912.0;
    let r = n.mul_add(-0.693_145_75, x);
    let r = n.mul_add(-1.428_606_8e-6, r);
    // exp(r) by its degree-6 Taylor polynomial (error < 2e-7 on |r| ≤ 0.347).
    let mut p = 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // SAFETY: `n` is a finite whole number in −126..=0 (see above).
    let n = unsafe { n.to_int_unchecked::<i32>() };
    let scale = f32::from_bits(((n + 127) << 23) as u32);
    p * scale
}

/// `erf(x)` to within 5e-7 in f32 (Abramowitz & Stegun 7.1.26: 1.5e-7, plus rounding).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / 0.327_591_1f32.mul_add(a, 1.0);
    let mut p = 1.061_405_4f32;
    p = p.mul_add(t, -1.453_152_1);
    p = p.mul_add(t, 1.421_413_7);
    p = p.mul_add(t, -0.284_496_72);
    p = p.mul_add(t, 0.254_829_6);
    let y = 1.0 - p * t * exp_nonpositive(-a * a);
    y.copysign(x)
}

/// The exact (erf) GELU.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// `gelu′(x) = Φ(x) + x·φ(x)`, the standard normal CDF and density.
#[inline(always)]
fn gelu_derivative(x: f32) -> f32 {
    const INV_SQRT_2PI: f32 = 0.398_942_3;
    let cdf = 0.5 * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
    cdf + x * INV_SQRT_2PI * exp_nonpositive(-0.5 * x * x)
}

macro_rules! kernels {
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

        /// Attention of one sequence and one head: `out = softmax(q·kᵀ·scale)·v`. `q` and `v`
        /// are row-strided views (`stride` floats between rows), `out` too (`out_stride`);
        /// `keys_t` holds k transposed (`head_size` rows of `len`), so that each query's
        /// scores are one vectorised sweep over the keys.
        $(#[$attr])?
        pub(super) unsafe fn attend(
            view: &HeadView<'_>,
            keys_t: &[f32],
            scores: &mut [f32],
            out: &mut [f32],
        ) {
            let (len, d, stride) = (view.len, view.head_size, view.stride);
            // Scores of four queries against eight keys at a time, kept in registers over
            // the head dimension (`keys_t` rows are padded to a multiple of 8 keys).
            let padded = len.next_multiple_of(8);
            let mut i = 0;
            while i < len {
                let queries = (len - i).min(4);
                let q: [&[f32]; 4] =
                    std::array::from_fn(|r| &view.q[(i + r.min(queries - 1)) * stride..][..d]);
                for jb in (0..padded).step_by(8) {
                    let mut acc = [[0f32; 8]; 4];
                    for t in 0..d {
                        let k: &[f32; 8] = keys_t[t * padded + jb..][..8].try_into().unwrap();
                        for r in 0..4 {
                            let qt = q[r][t];
                            for l in 0..8 {
                                acc[r][l] = qt.mul_add(k[l], acc[r][l]);
                            }
                        }
                    }
                    for (r, acc) in acc.iter().enumerate().take(queries) {
                        scores[r * padded + jb..][..8].copy_from_slice(acc);
                    }
                }
                for r in 0..queries {
                    softmax_and_mix(view, &mut scores[r * padded..r * padded + len], i + r, out);
                }
                i += queries;
            }
        }

        /// Turns one query's scores into weights and mixes the values into its output row.
        $(#[$attr])?
        unsafe fn softmax_and_mix(view: &HeadView<'_>, row: &mut [f32], i: usize, out: &mut [f32]) {
            let (d, stride) = (view.head_size, view.stride);
            let max = lanes_max(row);
            for s in row.iter_mut() {
                *s = exp_nonpositive((*s - max) * view.scale);
            }
            let sum = lanes_sum(row);
            let o = &mut out[i * view.out_stride..i * view.out_stride + d];
            o.fill(0.0);
            let inv = 1.0 / sum;
            // Four keys per pass over the output row: a quarter of the output loads and stores.
            let value = |j: usize| &view.v[j * stride..j * stride + d];
            let mut j = 0;
            while j + 4 <= row.len() {
                let w = [row[j] * inv, row[j + 1] * inv, row[j + 2] * inv, row[j + 3] * inv];
                let (v0, v1, v2, v3) = (value(j), value(j + 1), value(j + 2), value(j + 3));
                for t in 0..d {
                    let sum = w[0].mul_add(v0[t], w[1] * v1[t]) + w[2].mul_add(v2[t], w[3] * v3[t]);
                    o[t] += sum;
                }
                j += 4;
            }
            for (j, s) in row.iter().enumerate().skip(j) {
                let w = s * inv;
                for (oo, vv) in o.iter_mut().zip(value(j)) {
                    *oo = w.mul_add(*vv, *oo);
                }
            }
        }
    };
}

/// Layer-norm parameters of one norm plus the bias added before it.
pub(crate) struct NormParams<'a> {
    pub bias: &'a [f32],
    pub gamma: &'a [f32],
    pub beta: &'a [f32],
    pub eps: f32,
}

/// One head of one sequence in a packed `[rows, 3·hidden]` QKV buffer.
pub(crate) struct HeadView<'a> {
    pub q: &'a [f32],
    pub v: &'a [f32],
    pub len: usize,
    pub head_size: usize,
    pub stride: usize,
    pub out_stride: usize,
    pub scale: f32,
}

/// Sum with eight independent partial sums, so that it vectorises (a plain float sum is a
/// serial chain LLVM must not reorder).
#[inline(always)]
fn lanes_sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for l in 0..8 {
            acc[l] += c[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Maximum with eight independent partial maxima (vectorises, see [`lanes_sum`]).
#[inline(always)]
fn lanes_max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; 8];
    let chunks = x.chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, v| m.max(*v));
    for c in chunks {
        for l in 0..8 {
            acc[l] = acc[l].max(c[l]);
        }
    }
    acc.iter().fold(tail, |m, v| m.max(*v))
}

/// Mean of `row` and `1 / sqrt(variance + eps)`.
#[inline(always)]
fn mean_and_inverse_deviation(row: &[f32], eps: f32) -> (f32, f32) {
    let n = row.len() as f32;
    let mean = lanes_sum(row) / n;
    let mut acc = [0f32; 8];
    let chunks = row.chunks_exact(8);
    let tail: f32 = chunks
        .remainder()
        .iter()
        .map(|v| (v - mean) * (v - mean))
        .sum();
    for c in chunks {
        for l in 0..8 {
            acc[l] += (c[l] - mean) * (c[l] - mean);
        }
    }
    let var = (acc.iter().sum::<f32>() + tail) / n;
    (mean, 1.0 / (var + eps).sqrt())
}

/// Normalises `row` in place and applies gamma and beta.
#[inline(always)]
fn normalize(row: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let (mean, inv) = mean_and_inverse_deviation(row, eps);
    for ((v, g), b) in row.iter_mut().zip(gamma).zip(beta) {
        *v = ((*v - mean) * inv).mul_add(*g, *b);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    kernels!(target_feature(enable = "avx2,fma"));
}

mod generic {
    #![allow(clippy::missing_safety_doc, unused_unsafe)]
    kernels!();
}

/// `x ← gelu(x + bias)`, row by row (`x` is `[rows, bias.len()]`), rows in parallel.
pub(crate) fn bias_gelu(x: &mut [f32], bias: &[f32]) {
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

/// `x ← layer_norm(x + bias + residual)`, row by row, rows in parallel.
pub(crate) fn bias_residual_norm(x: &mut [f32], residual: &[f32], params: &NormParams<'_>) {
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

/// Self-attention over packed sequences. `qkv` is `[rows, 3·hidden]` (query, key, value
/// side by side, each `heads × head_size`); `lengths` gives each sequence's row count, in
/// order. Returns the attended values `[rows, hidden]`. No padding exists, so none is masked.
pub(crate) fn attention(
    qkv: &[f32],
    lengths: &[usize],
    heads: usize,
    head_size: usize,
) -> Vec<f32> {
    let hidden = heads * head_size;
    let stride = 3 * hidden;
    let rows: usize = lengths.iter().sum();
    let mut out = vec![0f32; rows * hidden];
    // Split `out` into per-sequence slices so sequences run in parallel.
    let mut pieces = Vec::with_capacity(lengths.len());
    let (mut rest, mut start) = (out.as_mut_slice(), 0usize);
    for &len in lengths {
        let (head, tail) = rest.split_at_mut(len * hidden);
        pieces.push((start, len, head));
        rest = tail;
        start += len;
    }
    let scale = 1.0 / (head_size as f32).sqrt();
    pieces.into_par_iter().for_each(|(start, len, out)| {
        let base = &qkv[start * stride..(start + len) * stride];
        let padded = len.next_multiple_of(8);
        let mut scores = vec![0f32; 4 * padded];
        let mut keys_t = vec![0f32; padded * head_size];
        for h in 0..heads {
            let at = h * head_size;
            for j in 0..len {
                let key = &base[j * stride + hidden + at..][..head_size];
                for (t, k) in key.iter().enumerate() {
                    keys_t[t * padded + j] = *k;
                }
            }
            let view = HeadView {
                q: &base[at..],
                v: &base[2 * hidden + at..],
                len,
                head_size,
                stride,
                out_stride: hidden,
                scale,
            };
            attend_serial(&view, &keys_t, &mut scores, &mut out[at..]);
        }
    });
    out
}

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

/// `x ← gelu(x)` (`x` is rows of `width`).
pub(crate) fn gelu_in_place(x: &mut [f32], width: usize) {
    #[allow(unused_unsafe)]
    rows_in_parallel(x, width, |x| unsafe { dispatch!(gelu_in_place(x)) });
}

/// GELU's backward pass: `grad ← grad · gelu′(x)`.
pub(crate) fn gelu_backward(grad: &mut [f32], x: &[f32], width: usize) {
    #[allow(unused_unsafe)]
    row_pairs_in_parallel(grad, x, width, |grad, x| unsafe {
        dispatch!(gelu_backward(grad, x))
    });
}

/// `x ← layer_norm(x)·gamma + beta`, row by row (rows of `gamma.len()`).
pub(crate) fn norm_rows(x: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    #[allow(unused_unsafe)]
    rows_in_parallel(x, gamma.len(), |x| unsafe {
        dispatch!(norm_rows(x, gamma, beta, eps))
    });
}

/// Layer norm's backward pass for the input: `grad` (of the output) becomes the gradient of
/// `x`.
pub(crate) fn norm_backward(grad: &mut [f32], x: &[f32], gamma: &[f32], eps: f32) {
    #[allow(unused_unsafe)]
    row_pairs_in_parallel(grad, x, gamma.len(), |grad, x| unsafe {
        dispatch!(norm_backward(grad, x, gamma, eps))
    });
}

/// Layer norm's gradients for gamma and beta: `(Σ grad·x̂, Σ grad)` over the rows.
pub(crate) fn norm_parameter_grads(
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
        .reduce(
            || (vec![0f32; width], vec![0f32; width]),
            |(mut ga, mut ba), (gb, bb)| {
                ga.iter_mut().zip(gb).for_each(|(a, b)| *a += b);
                ba.iter_mut().zip(bb).for_each(|(a, b)| *a += b);
                (ga, ba)
            },
        )
}

/// Softmax over each row of `width` values, in place.
pub(crate) fn softmax_rows(x: &mut [f32], width: usize) {
    #[allow(unused_unsafe)]
    rows_in_parallel(x, width, |x| unsafe { dispatch!(softmax_rows(x, width)) });
}

/// Softmax's backward pass: `grad ← y·(grad − Σ grad·y)` row by row, `y` the softmax output.
pub(crate) fn softmax_backward(grad: &mut [f32], y: &[f32], width: usize) {
    #[allow(unused_unsafe)]
    row_pairs_in_parallel(grad, y, width, |grad, y| unsafe {
        dispatch!(softmax_backward(grad, y, width))
    });
}

/// Attention of each sequence's first row ([CLS]) alone over all of its rows: what the last
/// layer needs, since the head reads only that row. `query` is `[sequences, hidden]` (the
/// first rows' queries), `key_value` is `[rows, 2·hidden]` (keys, then values, of every row);
/// returns `[sequences, hidden]`.
pub(crate) fn first_row_attention(
    query: &[f32],
    key_value: &[f32],
    lengths: &[usize],
    heads: usize,
    head_size: usize,
) -> Vec<f32> {
    let hidden = heads * head_size;
    let stride = 2 * hidden;
    let starts: Vec<usize> = lengths
        .iter()
        .scan(0, |start, &len| {
            let at = *start;
            *start += len;
            Some(at)
        })
        .collect();
    let mut out = vec![0f32; lengths.len() * hidden];
    let scale = 1.0 / (head_size as f32).sqrt();
    out.par_chunks_mut(hidden)
        .zip(query.par_chunks(hidden))
        .zip(starts.par_iter().zip(lengths))
        .for_each(|((out, query), (&start, &len))| {
            let rows = &key_value[start * stride..(start + len) * stride];
            let mut weights = vec![0f32; len];
            for h in 0..heads {
                let at = h * head_size;
                let q = &query[at..at + head_size];
                for (w, row) in weights.iter_mut().zip(rows.chunks_exact(stride)) {
                    *w = q
                        .iter()
                        .zip(&row[at..at + head_size])
                        .map(|(a, b)| a * b)
                        .sum();
                }
                let max = lanes_max(&weights);
                for w in weights.iter_mut() {
                    *w = exp_nonpositive((*w - max) * scale);
                }
                let inv = 1.0 / lanes_sum(&weights);
                let o = &mut out[at..at + head_size];
                for (w, row) in weights.iter().zip(rows.chunks_exact(stride)) {
                    let w = w * inv;
                    for (o, v) in o.iter_mut().zip(&row[hidden + at..hidden + at + head_size]) {
                        *o = w.mul_add(*v, *o);
                    }
                }
            }
        });
    out
}

fn attend_serial(view: &HeadView<'_>, keys_t: &[f32], scores: &mut [f32], out: &mut [f32]) {
    #[allow(unused_unsafe)]
    unsafe {
        dispatch!(attend(view, keys_t, scores, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erf_reference(x: f64) -> f64 {
        // A&S 7.1.28-free check: integrate exp(-t²) numerically (Simpson, fine grid).
        let n = 20_000;
        let h = x / n as f64;
        let f = |t: f64| (-t * t).exp();
        let mut s = f(0.0) + f(x);
        for i in 1..n {
            s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn exp_matches_std_over_its_range() {
        for i in 0..=2000 {
            let x = -90.0 + i as f32 * 0.045;
            let (got, want) = (exp_nonpositive(x), x.exp());
            assert!(
                (got - want).abs() <= want * 1e-6 + 1e-37,
                "exp({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn erf_is_within_5e7_of_the_integral() {
        for i in -40..=40 {
            let x = i as f64 * 0.1;
            let got = erf(x as f32) as f64;
            assert!((got - erf_reference(x)).abs() < 5e-7, "erf({x}) = {got}");
        }
    }

    #[test]
    fn attention_of_one_token_returns_its_value() {
        // One sequence of one row: softmax over one key is 1, so the output is v.
        let (heads, d) = (2, 8);
        let hidden = heads * d;
        let qkv: Vec<f32> = (0..3 * hidden).map(|i| i as f32 * 0.1).collect();
        let out = attention(&qkv, &[1], heads, d);
        assert_eq!(out, qkv[2 * hidden..].to_vec());
    }

    #[test]
    fn first_row_attention_matches_full_attention() {
        let (heads, d) = (2, 8);
        let hidden = heads * d;
        let lengths = [3, 1, 5];
        let rows: usize = lengths.iter().sum();
        let qkv: Vec<f32> = (0..rows * 3 * hidden)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) * 0.05)
            .collect();
        let full = attention(&qkv, &lengths, heads, d);
        let (mut query, mut key_value) = (Vec::new(), Vec::new());
        let mut start = 0;
        for len in lengths {
            query.extend_from_slice(&qkv[start * 3 * hidden..][..hidden]);
            start += len;
        }
        for row in qkv.chunks(3 * hidden) {
            key_value.extend_from_slice(&row[hidden..]);
        }
        let first = first_row_attention(&query, &key_value, &lengths, heads, d);
        let mut start = 0;
        for (i, len) in lengths.iter().enumerate() {
            let want = &full[start * hidden..][..hidden];
            let got = &first[i * hidden..][..hidden];
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-5, "{g} vs {w}");
            }
            start += len;
        }
    }

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
}
