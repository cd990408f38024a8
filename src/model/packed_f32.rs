//! An f32 GEMM for dense layers with the weight matrix packed once, at load.
//!
//! candle's GEMM packs the weight matrix on every call; for a batch of one short unit that
//! repacking costs as much as the product itself. Here the weights are laid out once in blocks
//! of 16 output columns (`[block][input][16]`), and an AVX2/FMA micro-kernel computes 4 rows ×
//! 16 columns with the accumulators in registers. Without AVX2 + FMA (+ F16C) a scalar kernel
//! does the same sums (to float rounding).
//!
//! Weights that are all exactly representable in f16 (the shipped model's are: its checkpoint is
//! f16) are stored as f16 and widened in the kernel. The products are the same as with f32
//! storage, and the encoder's weights take 25 MB instead of 50 MB: small enough to stay in this
//! machine's L3 cache instead of streaming from memory on every forward.

use half::f16;
use rayon::prelude::*;

/// Output columns per packed block (two AVX registers).
const BLOCK: usize = 16;
/// Rows one rayon task computes (its share of the output is contiguous). Each task streams the
/// whole weight matrix once, so fewer, larger tasks read less of it per row: 64 rather than 32
/// made f32 batch 1 (one unit of ~45 tokens per forward, one task instead of two) ~14 % faster
/// on the compare units, with batches of 8 and 32 unchanged.
const ROWS_PER_TASK: usize = 64;

/// A `[out, in]` f32 weight matrix packed for [`F32Matrix::matmul`].
#[derive(Debug, Clone)]
pub struct F32Matrix {
    packed: PackedWeights,
    out_dim: usize,
    in_dim: usize,
}

/// The packed weights, in f16 when that loses nothing.
#[derive(Debug, Clone)]
enum PackedWeights {
    F32(Vec<f32>),
    F16(Vec<f16>),
}

impl F32Matrix {
    /// Packs row-major `weights` `[out_dim, in_dim]`.
    pub fn pack(weights: &[f32], out_dim: usize, in_dim: usize) -> Self {
        assert_eq!(weights.len(), out_dim * in_dim, "weight matrix size");
        let exact_in_f16 = weights.iter().all(|w| f16::from_f32(*w).to_f32() == *w);
        let packed = if exact_in_f16 {
            PackedWeights::F16(pack_blocks(weights, out_dim, in_dim, f16::from_f32))
        } else {
            PackedWeights::F32(pack_blocks(weights, out_dim, in_dim, |w| w))
        };
        Self {
            packed,
            out_dim,
            in_dim,
        }
    }

    /// Whether the weights are stored as f16 (exactly).
    #[cfg(test)]
    fn is_stored_in_f16(&self) -> bool {
        matches!(self.packed, PackedWeights::F16(_))
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

    /// One task's rows.
    fn multiply_rows(&self, x: &[f32], out: &mut [f32]) {
        match &self.packed {
            PackedWeights::F32(packed) => self.multiply_rows_with(packed, x, out),
            PackedWeights::F16(packed) => self.multiply_rows_with(packed, x, out),
        }
    }

    /// One task's rows: each weight block is read once per task and reused for every row tile.
    fn multiply_rows_with<W: Weight>(&self, packed: &[W], x: &[f32], out: &mut [f32]) {
        let rows = x.len() / self.in_dim;
        let mut sums = [[0f32; BLOCK]; 4];
        for block in 0..self.out_dim.div_ceil(BLOCK) {
            let weights = &packed[block * self.in_dim * BLOCK..][..self.in_dim * BLOCK];
            let columns = (block * BLOCK)..((block + 1) * BLOCK).min(self.out_dim);
            let mut r = 0;
            while r < rows {
                let tile = (rows - r).min(4);
                let inputs: [&[f32]; 4] = std::array::from_fn(|i| {
                    &x[(r + i.min(tile - 1)) * self.in_dim..][..self.in_dim]
                });
                dot_tile(&inputs, tile, weights, &mut sums);
                for (i, sum) in sums.iter().enumerate().take(tile) {
                    out[(r + i) * self.out_dim..][columns.clone()]
                        .copy_from_slice(&sum[..columns.len()]);
                }
                r += tile;
            }
        }
    }
}

/// Lays `weights` `[out_dim, in_dim]` out as `[block][input][16]`, zero-padding the last block.
fn pack_blocks<W: Copy + Default>(
    weights: &[f32],
    out_dim: usize,
    in_dim: usize,
    convert: impl Fn(f32) -> W,
) -> Vec<W> {
    let blocks = out_dim.div_ceil(BLOCK);
    let mut packed = vec![W::default(); blocks * in_dim * BLOCK];
    for (o, row) in weights.chunks_exact(in_dim).enumerate() {
        let (block, column) = (o / BLOCK, o % BLOCK);
        for (k, w) in row.iter().enumerate() {
            packed[(block * in_dim + k) * BLOCK + column] = convert(*w);
        }
    }
    packed
}

/// A stored weight type: f32, or f16 widened to f32 as it is loaded.
#[cfg(target_arch = "x86_64")]
trait Weight: Copy + avx2::Load16 {
    fn to_f32(self) -> f32;
}
#[cfg(not(target_arch = "x86_64"))]
trait Weight: Copy {
    fn to_f32(self) -> f32;
}

impl Weight for f32 {
    fn to_f32(self) -> f32 {
        self
    }
}

impl Weight for f16 {
    fn to_f32(self) -> f32 {
        f16::to_f32(self)
    }
}

/// Dot products of the first `rows` (1 to 4) input rows with one block of 16 columns:
/// `sums[row][col]`.
fn dot_tile<W: Weight>(
    inputs: &[&[f32]; 4],
    rows: usize,
    weights: &[W],
    sums: &mut [[f32; BLOCK]; 4],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            // SAFETY: AVX2, FMA and F16C are present; lengths are checked inside.
            unsafe {
                match rows {
                    1 => avx2::dot_tile::<1, W>(inputs, weights, sums),
                    2 => avx2::dot_tile::<2, W>(inputs, weights, sums),
                    3 => avx2::dot_tile::<3, W>(inputs, weights, sums),
                    _ => avx2::dot_tile::<4, W>(inputs, weights, sums),
                }
            }
            return;
        }
    }
    dot_tile_scalar(inputs, weights, sums);
}

fn dot_tile_scalar<W: Weight>(inputs: &[&[f32]; 4], weights: &[W], sums: &mut [[f32; BLOCK]; 4]) {
    for (row, x) in inputs.iter().enumerate() {
        let mut acc = [0f32; BLOCK];
        for (k, xk) in x.iter().enumerate() {
            for (c, a) in acc.iter_mut().enumerate() {
                *a += xk * weights[k * BLOCK + c].to_f32();
            }
        }
        sums[row] = acc;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::BLOCK;
    use half::f16;
    use std::arch::x86_64::*;

    /// Loads the 16 weights of one input as two f32 vectors.
    pub(super) trait Load16: Copy {
        /// # Safety
        /// `w` points at 16 readable weights; the CPU has AVX (and F16C for f16).
        unsafe fn load16(w: *const Self) -> (__m256, __m256);
    }

    impl Load16 for f32 {
        #[inline(always)]
        unsafe fn load16(w: *const f32) -> (__m256, __m256) {
            (_mm256_loadu_ps(w), _mm256_loadu_ps(w.add(8)))
        }
    }

    impl Load16 for f16 {
        #[inline(always)]
        unsafe fn load16(w: *const f16) -> (__m256, __m256) {
            let halves = _mm256_loadu_si256(w.cast());
            (
                _mm256_cvtph_ps(_mm256_castsi256_si128(halves)),
                _mm256_cvtph_ps(_mm256_extracti128_si256::<1>(halves)),
            )
        }
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn dot_tile<const ROWS: usize, W: Load16>(
        inputs: &[&[f32]; 4],
        weights: &[W],
        sums: &mut [[f32; BLOCK]; 4],
    ) {
        let k_len = inputs[0].len();
        assert!(inputs.iter().all(|x| x.len() == k_len) && weights.len() >= k_len * BLOCK);
        let mut acc = [[_mm256_setzero_ps(); 2]; ROWS];
        let w = weights.as_ptr();
        let x = inputs.map(|x| x.as_ptr());
        for k in 0..k_len {
            let (w0, w1) = W::load16(w.add(k * BLOCK));
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
        // Odd shapes, a full block, rows past one task.
        for (rows, out, inp) in [(7, 37, 70), (5, 16, 256), (70, 21, 600)] {
            check_against_naive(rows, out, inp);
        }
    }

    #[test]
    fn weights_exact_in_f16_are_stored_in_f16_with_the_same_products() {
        // Multiples of 1/16 in [-0.5, 0.5] are exact in f16; ninths are not.
        let exact = |i: usize| ((i * 11 % 17) as f32 - 8.0) / 16.0;
        let inexact = |i: usize| ((i * 11 % 17) as f32 - 8.0) / 9.0;
        assert!(F32Matrix::pack(&weights(21, 600, exact), 21, 600).is_stored_in_f16());
        assert!(!F32Matrix::pack(&weights(21, 600, inexact), 21, 600).is_stored_in_f16());
        for (rows, out, inp) in [(7, 37, 70), (70, 21, 600)] {
            check_against_naive_with(rows, out, inp, exact);
        }
    }

    fn weights(out: usize, inp: usize, value: impl Fn(usize) -> f32) -> Vec<f32> {
        (0..out * inp).map(value).collect()
    }

    fn check_against_naive(rows: usize, out: usize, inp: usize) {
        check_against_naive_with(rows, out, inp, |i| ((i * 11 % 17) as f32 - 8.0) / 9.0);
    }

    fn check_against_naive_with(rows: usize, out: usize, inp: usize, value: impl Fn(usize) -> f32) {
        let x: Vec<f32> = (0..rows * inp)
            .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
            .collect();
        let w = weights(out, inp, value);
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
