//! Self-attention over packed (unpadded) sequences: every row of every sequence, or only each
//! sequence's first row ([CLS]) for the last layer.

use super::math::{exp_nonpositive, lanes_max, lanes_sum};
use rayon::prelude::*;

/// One head of one sequence in a packed `[rows, 3·hidden]` QKV buffer.
pub struct HeadView<'a> {
    pub q: &'a [f32],
    pub v: &'a [f32],
    pub len: usize,
    pub head_size: usize,
    pub stride: usize,
    pub out_stride: usize,
    pub scale: f32,
}

/// Keys whose scores [`attend`] keeps in one register row: `keys_t` rows are padded to a
/// multiple of it.
const KEY_PAD: usize = 16;

/// The head size whose value mixing runs four queries at once from registers (BERT's 64);
/// other sizes mix one query at a time.
const MIXED_HEAD_SIZE: usize = 64;

macro_rules! attention_kernels {
    ($keys:literal $(, $attr:meta)?) => {
        use super::*;

        /// Attention of one sequence and one head: `out = softmax(q·kᵀ·scale)·v`. `q` and `v`
        /// are row-strided views (`stride` floats between rows), `out` too (`out_stride`);
        /// `keys_t` holds k transposed (`head_size` rows of `len` padded to [`KEY_PAD`]), so
        /// that each query's scores are one vectorised sweep over the keys.
        $(#[$attr])?
        pub(super) unsafe fn attend(
            view: &HeadView<'_>,
            keys_t: &[f32],
            scores: &mut [f32],
            out: &mut [f32],
        ) {
            let (len, d, stride) = (view.len, view.head_size, view.stride);
            // Scores of four queries against `$keys` keys at a time (one register each),
            // kept in registers over the head dimension.
            let padded = len.next_multiple_of(KEY_PAD);
            let mut i = 0;
            while i < len {
                let queries = (len - i).min(4);
                let q: [&[f32]; 4] =
                    std::array::from_fn(|r| &view.q[(i + r.min(queries - 1)) * stride..][..d]);
                for jb in (0..padded).step_by($keys) {
                    let mut acc = [[0f32; $keys]; 4];
                    for t in 0..d {
                        let k: &[f32; $keys] = keys_t[t * padded + jb..][..$keys].try_into().unwrap();
                        for r in 0..4 {
                            let qt = q[r][t];
                            for l in 0..$keys {
                                acc[r][l] = qt.mul_add(k[l], acc[r][l]);
                            }
                        }
                    }
                    for (r, acc) in acc.iter().enumerate().take(queries) {
                        scores[r * padded + jb..][..$keys].copy_from_slice(acc);
                    }
                }
                if d == MIXED_HEAD_SIZE {
                    let mut inv = [0f32; 4];
                    for (r, inv) in inv.iter_mut().enumerate().take(queries) {
                        *inv = exponentiate(&mut scores[r * padded..r * padded + len], view.scale);
                    }
                    mix_four::<MIXED_HEAD_SIZE>(view, scores, padded, inv, i, queries, out);
                } else {
                    for r in 0..queries {
                        let row = &mut scores[r * padded..r * padded + len];
                        let inv = exponentiate(row, view.scale);
                        mix_one(view, row, inv, i + r, out);
                    }
                }
                i += queries;
            }
        }

        /// Turns one query's scores into unnormalised weights in place: `exp((s − max)·scale)`.
        /// Returns the reciprocal of their sum.
        $(#[$attr])?
        unsafe fn exponentiate(row: &mut [f32], scale: f32) -> f32 {
            let max = lanes_max(row);
            for s in row.iter_mut() {
                *s = exp_nonpositive((*s - max) * scale);
            }
            1.0 / lanes_sum(row)
        }

        /// Mixes the values into query `i`'s output row by its weights `row` (times `inv`).
        $(#[$attr])?
        pub(super) unsafe fn mix_one(view: &HeadView<'_>, row: &[f32], inv: f32, i: usize, out: &mut [f32]) {
            let (d, stride) = (view.head_size, view.stride);
            let o = &mut out[i * view.out_stride..i * view.out_stride + d];
            o.fill(0.0);
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

        /// [`mix_one`] for the four queries from `i` at once (their weights are rows of
        /// `weights`, `padded` apart; `queries` of them are real), with a head size known at
        /// compile time: the four output rows stay in registers and each value row is loaded
        /// once for all four. Every output element gets the same operations in the same order
        /// as in [`mix_one`], so the results are identical.
        $(#[$attr])?
        pub(super) unsafe fn mix_four<const D: usize>(
            view: &HeadView<'_>,
            weights: &[f32],
            padded: usize,
            inv: [f32; 4],
            i: usize,
            queries: usize,
            out: &mut [f32],
        ) {
            let (len, stride) = (view.len, view.stride);
            let value = |j: usize| -> &[f32; D] { view.v[j * stride..][..D].try_into().unwrap() };
            let weight = |r: usize, j: usize| weights[r * padded + j] * inv[r];
            let mut acc = [[0f32; D]; 4];
            let mut j = 0;
            while j + 4 <= len {
                let (v0, v1, v2, v3) = (value(j), value(j + 1), value(j + 2), value(j + 3));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let w = [weight(r, j), weight(r, j + 1), weight(r, j + 2), weight(r, j + 3)];
                    for t in 0..D {
                        let sum = w[0].mul_add(v0[t], w[1] * v1[t]) + w[2].mul_add(v2[t], w[3] * v3[t]);
                        acc[t] += sum;
                    }
                }
                j += 4;
            }
            for j in j..len {
                let v = value(j);
                for (r, acc) in acc.iter_mut().enumerate() {
                    let w = weight(r, j);
                    for t in 0..D {
                        acc[t] = w.mul_add(v[t], acc[t]);
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate().take(queries) {
                out[(i + r) * view.out_stride..][..D].copy_from_slice(acc);
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    attention_kernels!(8, target_feature(enable = "avx2,fma"));
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    attention_kernels!(
        16,
        target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")
    );
}

mod generic {
    #![allow(clippy::missing_safety_doc, unused_unsafe)]
    attention_kernels!(8);
}

/// Self-attention over packed sequences. `qkv` is `[rows, 3·hidden]` (query, key, value
/// side by side, each `heads × head_size`); `lengths` gives each sequence's row count, in
/// order. Returns the attended values `[rows, hidden]`. No padding exists, so none is masked.
pub fn attention(qkv: &[f32], lengths: &[usize], heads: usize, head_size: usize) -> Vec<f32> {
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
        let padded = len.next_multiple_of(KEY_PAD);
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

/// Attention of each sequence's first row ([CLS]) alone over all of its rows: what the last
/// layer needs, since the head reads only that row. `query` is `[sequences, hidden]` (the
/// first rows' queries), `key_value` is `[rows, 2·hidden]` (keys, then values, of every row);
/// returns `[sequences, hidden]`.
pub fn first_row_attention(
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
    use super::super::{has_avx2, has_avx512, test_values};
    use super::*;

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
    fn simd_twins_match_the_portable_kernel() {
        macro_rules! check {
            ($simd:ident, $d:expr) => {{
                let (heads, d, len) = (2, $d, 27);
                let hidden = heads * d;
                let stride = 3 * hidden;
                let qkv = test_values(len * stride, 1);
                let padded = len.next_multiple_of(KEY_PAD);
                let mut keys_t = vec![0f32; padded * d];
                for j in 0..len {
                    for t in 0..d {
                        keys_t[t * padded + j] = qkv[j * stride + hidden + t];
                    }
                }
                let view = HeadView {
                    q: &qkv,
                    v: &qkv[2 * hidden..],
                    len,
                    head_size: d,
                    stride,
                    out_stride: hidden,
                    scale: 0.25,
                };
                let (mut scores_a, mut scores_b) = (vec![0f32; 4 * padded], vec![0f32; 4 * padded]);
                let (mut a, mut b) = (vec![0f32; len * hidden], vec![0f32; len * hidden]);
                // SAFETY: the CPU has the module's features (checked below).
                unsafe { $simd::attend(&view, &keys_t, &mut scores_a, &mut a) };
                unsafe { generic::attend(&view, &keys_t, &mut scores_b, &mut b) };
                assert_eq!(a, b, "attend");
            }};
        }
        // Head size 8 mixes one query at a time, 64 four at a time.
        for d in [8, MIXED_HEAD_SIZE] {
            if has_avx2() {
                check!(avx2, d);
            }
            if has_avx512() {
                check!(avx512, d);
            }
        }
    }

    #[test]
    fn four_query_mixing_matches_one_query_mixing() {
        let (d, len) = (MIXED_HEAD_SIZE, 23);
        let stride = 3 * d;
        let qkv = test_values(len * stride, 9);
        let padded = len.next_multiple_of(KEY_PAD);
        let weights: Vec<f32> = test_values(4 * padded, 10)
            .iter()
            .map(|v| v.abs())
            .collect();
        let view = HeadView {
            q: &qkv,
            v: &qkv[2 * d..],
            len,
            head_size: d,
            stride,
            out_stride: d,
            scale: 1.0,
        };
        let inv = [0.5, 0.25, 0.125, 1.0];
        for queries in 1..=4 {
            let (mut four, mut one) = (vec![0f32; len * d], vec![0f32; len * d]);
            // SAFETY (generic): no target features are assumed.
            unsafe {
                generic::mix_four::<MIXED_HEAD_SIZE>(
                    &view, &weights, padded, inv, 2, queries, &mut four,
                );
                for (r, inv) in inv.iter().enumerate().take(queries) {
                    let row = &weights[r * padded..r * padded + len];
                    generic::mix_one(&view, row, *inv, 2 + r, &mut one);
                }
            }
            assert_eq!(four, one, "{queries} queries");
        }
    }
}
