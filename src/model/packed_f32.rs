//! An f32 GEMM for dense layers with the weight matrix packed once, at load.
//!
//! candle's GEMM packs the weight matrix on every call; for a batch of one short unit that
//! repacking costs as much as the product itself. Here the weights are laid out once in blocks
//! of 16 output columns (`[block][input][16]`), and an AVX2/FMA micro-kernel computes 4 rows ×
//! 16 columns with the accumulators in registers. Without AVX2 + FMA a scalar kernel does the
//! same sums (to float rounding).

use rayon::prelude::*;

/// Output columns per packed block (two AVX registers).
const BLOCK: usize = 16;
/// Rows one rayon task computes (its share of the output is contiguous).
const ROWS_PER_TASK: usize = 32;
/// Input depth taken at a time: a task's rows × this many inputs stay in L2 (32 rows: 32 KiB).
const DEPTH: usize = 256;

/// A `[out, in]` f32 weight matrix packed for [`F32Matrix::matmul`].
#[derive(Debug, Clone)]
pub struct F32Matrix {
    packed: Vec<f32>,
    out_dim: usize,
    in_dim: usize,
}

impl F32Matrix {
    /// Packs row-major `weights` `[out_dim, in_dim]`.
    pub fn pack(weights: &[f32], out_dim: usize, in_dim: usize) -> Self {
        assert_eq!(weights.len(), out_dim * in_dim, "weight matrix size");
        let blocks = out_dim.div_ceil(BLOCK);
        let mut packed = vec![0f32; blocks * in_dim * BLOCK];
        for (o, row) in weights.chunks_exact(in_dim).enumerate() {
            let (block, column) = (o / BLOCK, o % BLOCK);
            for (k, w) in row.iter().enumerate() {
                packed[(block * in_dim + k) * BLOCK + column] = *w;
            }
        }
        Self {
            packed,
            out_dim,
            in_dim,
        }
    }

    /// `x·Wᵀ` for row-major `x` `[rows, in_dim]`: `[rows, out_dim]`, rows in parallel.
    pub fn matmul(&self, x: &[f32], rows: usize) -> Vec<f32> {
        assert_eq!(x.len(), rows * self.in_dim, "activation matrix size");
        let mut out = vec![0f32; rows * self.out_dim];
        out.par_chunks_mut(self.out_dim * ROWS_PER_TASK)
            .zip(x.par_chunks(self.in_dim * ROWS_PER_TASK))
            .for_each(|(out, x)| self.multiply_rows(x, out));
        out
    }

    /// One task's rows. The input depth is taken in chunks of [`DEPTH`]: a chunk of the task's
    /// rows stays in cache while every column block uses it, and each weight block is read
    /// once per task; partial sums accumulate in `out`.
    fn multiply_rows(&self, x: &[f32], out: &mut [f32]) {
        let rows = x.len() / self.in_dim;
        let mut sums = [[0f32; BLOCK]; 4];
        for start in (0..self.in_dim).step_by(DEPTH) {
            let depth = DEPTH.min(self.in_dim - start);
            for block in 0..self.out_dim.div_ceil(BLOCK) {
                let weights =
                    &self.packed[(block * self.in_dim + start) * BLOCK..][..depth * BLOCK];
                let columns = (block * BLOCK)..((block + 1) * BLOCK).min(self.out_dim);
                let mut r = 0;
                while r < rows {
                    let tile = (rows - r).min(4);
                    let inputs: [&[f32]; 4] = std::array::from_fn(|i| {
                        &x[(r + i.min(tile - 1)) * self.in_dim + start..][..depth]
                    });
                    dot_tile(&inputs, tile, weights, &mut sums);
                    for (i, sum) in sums.iter().enumerate().take(tile) {
                        let target = &mut out[(r + i) * self.out_dim..][columns.clone()];
                        if start == 0 {
                            target.copy_from_slice(&sum[..columns.len()]);
                        } else {
                            for (t, s) in target.iter_mut().zip(sum) {
                                *t += s;
                            }
                        }
                    }
                    r += tile;
                }
            }
        }
    }
}

/// Dot products of the first `rows` (1 to 4) input rows with one block of 16 columns:
/// `sums[row][col]`.
fn dot_tile(inputs: &[&[f32]; 4], rows: usize, weights: &[f32], sums: &mut [[f32; BLOCK]; 4]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: AVX2 and FMA are present; lengths are checked inside.
            unsafe {
                match rows {
                    1 => avx2::dot_tile::<1>(inputs, weights, sums),
                    2 => avx2::dot_tile::<2>(inputs, weights, sums),
                    3 => avx2::dot_tile::<3>(inputs, weights, sums),
                    _ => avx2::dot_tile::<4>(inputs, weights, sums),
                }
            }
            return;
        }
    }
    dot_tile_scalar(inputs, weights, sums);
}

fn dot_tile_scalar(inputs: &[&[f32]; 4], weights: &[f32], sums: &mut [[f32; BLOCK]; 4]) {
    for (row, x) in inputs.iter().enumerate() {
        let mut acc = [0f32; BLOCK];
        for (k, xk) in x.iter().enumerate() {
            for (c, a) in acc.iter_mut().enumerate() {
                *a += xk * weights[k * BLOCK + c];
            }
        }
        sums[row] = acc;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::BLOCK;
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dot_tile<const ROWS: usize>(
        inputs: &[&[f32]; 4],
        weights: &[f32],
        sums: &mut [[f32; BLOCK]; 4],
    ) {
        let k_len = inputs[0].len();
        assert!(inputs.iter().all(|x| x.len() == k_len) && weights.len() >= k_len * BLOCK);
        let mut acc = [[_mm256_setzero_ps(); 2]; ROWS];
        let w = weights.as_ptr();
        let x = inputs.map(|x| x.as_ptr());
        for k in 0..k_len {
            let w0 = _mm256_loadu_ps(w.add(k * BLOCK));
            let w1 = _mm256_loadu_ps(w.add(k * BLOCK + 8));
            for r in 0..ROWS {
                let xr = _mm256_broadcast_ss(&*x[r].add(k));
                acc[r][0] = _mm256_fmadd_ps(xr, w0, acc[r][0]);
                acc[r][1] = _mm256_fmadd_ps(xr, w1, acc[r][1]);
            }
        }
        for r in 0..ROWS {
            _mm256_storeu_ps(sums[r].as_mut_ptr(), acc[r][0]);
            _mm256_storeu_ps(sums[r].as_mut_ptr().add(8), acc[r][1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_product_matches_the_naive_one_for_odd_shapes() {
        // Depths below, at and past one chunk of `DEPTH`, rows past one task.
        for (rows, out, inp) in [(7, 37, 70), (5, 16, DEPTH), (37, 21, 2 * DEPTH + 88)] {
            check_against_naive(rows, out, inp);
        }
    }

    fn check_against_naive(rows: usize, out: usize, inp: usize) {
        let x: Vec<f32> = (0..rows * inp)
            .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
            .collect();
        let w: Vec<f32> = (0..out * inp)
            .map(|i| ((i * 11 % 17) as f32 - 8.0) / 9.0)
            .collect();
        let got = F32Matrix::pack(&w, out, inp).matmul(&x, rows);
        for r in 0..rows {
            for o in 0..out {
                let want: f32 = (0..inp).map(|k| x[r * inp + k] * w[o * inp + k]).sum();
                let g = got[r * out + o];
                assert!(
                    (g - want).abs() < 1e-4 * (1.0 + want.abs()),
                    "{g} vs {want}"
                );
            }
        }
    }
}
