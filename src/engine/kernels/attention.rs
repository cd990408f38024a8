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

macro_rules! attention_kernels {
    ($($attr:meta)?) => {
        use super::*;

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

#[cfg(target_arch = "x86_64")]
mod avx2 {
    attention_kernels!(target_feature(enable = "avx2,fma"));
}

mod generic {
    #![allow(clippy::missing_safety_doc, unused_unsafe)]
    attention_kernels!();
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
    use super::super::{has_avx2, test_values};
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
    fn avx2_twin_matches_the_portable_kernel() {
        if !has_avx2() {
            return;
        }
        let (heads, d, len) = (2, 8, 11);
        let hidden = heads * d;
        let stride = 3 * hidden;
        let qkv = test_values(len * stride, 1);
        let padded = len.next_multiple_of(8);
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
        // SAFETY: the CPU has AVX2 and FMA (checked above).
        unsafe { avx2::attend(&view, &keys_t, &mut scores_a, &mut a) };
        unsafe { generic::attend(&view, &keys_t, &mut scores_b, &mut b) };
        assert_eq!(a, b, "attend");
    }
}
