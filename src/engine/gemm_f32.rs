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
use std::ops::Range;

/// Output columns per packed block (two AVX registers).
const BLOCK: usize = 16;
/// Rows one rayon task computes (its share of the output is contiguous). Each task streams the
/// whole weight matrix once, so fewer, larger tasks read less of it per row: 64 rather than 32
/// made f32 batch 1 (one unit of ~45 tokens per forward, one task instead of two) ~14 % faster
/// on the compare units, with batches of 8 and 32 unchanged.
const ROWS_PER_TASK: usize = 64;
/// Rows of a full tile: 4 rows × 16 columns = 8 accumulator registers.
const TILE_ROWS: usize = 4;
/// Most blocks one tail tile (fewer than [`TILE_ROWS`] rows) computes at once.
const MAX_TAIL_BLOCKS: usize = 4;

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

    /// One task's rows. Full tiles of [`TILE_ROWS`] rows take one block of 16 columns at a time,
    /// each block read once per task and reused for every tile; the 1 to `TILE_ROWS - 1` rows
    /// left over take several blocks at a time (see [`tail_blocks`]).
    fn multiply_rows_with<W: Weight>(&self, packed: &[W], x: &[f32], out: &mut [f32]) {
        let rows = x.len() / self.in_dim;
        let blocks = self.out_dim.div_ceil(BLOCK);
        let full_rows = rows - rows % TILE_ROWS;
        for block in 0..blocks {
            for r in (0..full_rows).step_by(TILE_ROWS) {
                self.tile(packed, x, out, r..r + TILE_ROWS, block..block + 1);
            }
        }
        let tail = rows - full_rows;
        if tail > 0 {
            let width = tail_blocks(tail);
            for block in (0..blocks).step_by(width) {
                self.tile(
                    packed,
                    x,
                    out,
                    full_rows..rows,
                    block..(block + width).min(blocks),
                );
            }
        }
    }

    /// The products of input `rows` with the weight `blocks`, written into `out`.
    fn tile<W: Weight>(
        &self,
        packed: &[W],
        x: &[f32],
        out: &mut [f32],
        rows: Range<usize>,
        blocks: Range<usize>,
    ) {
        let block_len = self.in_dim * BLOCK;
        let inputs: [&[f32]; TILE_ROWS] = std::array::from_fn(|i| {
            let r = (rows.start + i).min(rows.end - 1);
            &x[r * self.in_dim..][..self.in_dim]
        });
        let weights: [&[W]; MAX_TAIL_BLOCKS] = std::array::from_fn(|b| {
            let block = (blocks.start + b).min(blocks.end - 1);
            &packed[block * block_len..][..block_len]
        });
        let mut sums = [[0f32; BLOCK * MAX_TAIL_BLOCKS]; TILE_ROWS];
        dot_tile(&inputs, rows.len(), &weights, blocks.len(), &mut sums);
        let columns = (blocks.start * BLOCK)..(blocks.end * BLOCK).min(self.out_dim);
        for (r, sum) in rows.zip(&sums) {
            out[r * self.out_dim..][columns.clone()].copy_from_slice(&sum[..columns.len()]);
        }
    }
}

/// Blocks of 16 columns a tile of `rows` (fewer than [`TILE_ROWS`]) computes at once, so that
/// 6 to 8 accumulator chains are in flight: one row × one block keeps only 2 FMA chains busy,
/// a quarter of what this machine's two 4-cycle FMA pipes need. Measured by `benches/gemm.rs`
/// (one thread, the encoder's shapes): 1 row × 4 blocks 1.8–2.0× the rate of 1 × 1, 2 rows × 2
/// blocks 1.5× that of 2 × 1; 3 rows × 2 blocks (12 accumulators plus its weights: more than
/// the 16 vector registers) ran 1.3–1.5× slower than 3 × 1, so 3 rows keep one block.
fn tail_blocks(rows: usize) -> usize {
    match rows {
        1 => 4,
        2 => 2,
        _ => 1,
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

/// A tile's sums: up to [`TILE_ROWS`] rows × [`MAX_TAIL_BLOCKS`] blocks of 16 columns.
type Sums = [[f32; BLOCK * MAX_TAIL_BLOCKS]; TILE_ROWS];

/// Dot products of the first `rows` input rows with the first `blocks` weight blocks:
/// `sums[row][block * 16 + col]`. Every sum adds its products in input order, whatever the tile
/// shape, so a unit's scores do not depend on the batch it was in.
fn dot_tile<W: Weight>(
    inputs: &[&[f32]; TILE_ROWS],
    rows: usize,
    weights: &[&[W]; MAX_TAIL_BLOCKS],
    blocks: usize,
    sums: &mut Sums,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c")
        {
            // SAFETY: AVX2, FMA and F16C are present; lengths are checked inside.
            unsafe {
                match (rows, blocks) {
                    (1, 1) => avx2::dot_tile::<1, 1, W>(inputs, weights, sums),
                    (1, 2) => avx2::dot_tile::<1, 2, W>(inputs, weights, sums),
                    (1, 3) => avx2::dot_tile::<1, 3, W>(inputs, weights, sums),
                    (1, _) => avx2::dot_tile::<1, 4, W>(inputs, weights, sums),
                    (2, 1) => avx2::dot_tile::<2, 1, W>(inputs, weights, sums),
                    (2, _) => avx2::dot_tile::<2, 2, W>(inputs, weights, sums),
                    (3, _) => avx2::dot_tile::<3, 1, W>(inputs, weights, sums),
                    _ => avx2::dot_tile::<4, 1, W>(inputs, weights, sums),
                }
            }
            return;
        }
    }
    dot_tile_scalar(inputs, rows, weights, blocks, sums);
}

fn dot_tile_scalar<W: Weight>(
    inputs: &[&[f32]; TILE_ROWS],
    rows: usize,
    weights: &[&[W]; MAX_TAIL_BLOCKS],
    blocks: usize,
    sums: &mut Sums,
) {
    for (x, sums) in inputs.iter().zip(sums.iter_mut()).take(rows) {
        for (w, sums) in weights
            .iter()
            .zip(sums.chunks_exact_mut(BLOCK))
            .take(blocks)
        {
            let mut acc = [0f32; BLOCK];
            for (k, xk) in x.iter().enumerate() {
                for (c, a) in acc.iter_mut().enumerate() {
                    *a += xk * w[k * BLOCK + c].to_f32();
                }
            }
            sums.copy_from_slice(&acc);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Sums, BLOCK, MAX_TAIL_BLOCKS, TILE_ROWS};
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

    /// `ROWS` rows × `BLOCKS` blocks of 16 columns, `2 · ROWS · BLOCKS` accumulators.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn dot_tile<const ROWS: usize, const BLOCKS: usize, W: Load16>(
        inputs: &[&[f32]; TILE_ROWS],
        weights: &[&[W]; MAX_TAIL_BLOCKS],
        sums: &mut Sums,
    ) {
        let k_len = inputs[0].len();
        assert!(inputs.iter().all(|x| x.len() == k_len));
        assert!(weights.iter().all(|w| w.len() >= k_len * BLOCK));
        let mut acc = [[[_mm256_setzero_ps(); 2]; BLOCKS]; ROWS];
        let w = weights.map(|w| w.as_ptr());
        let x = inputs.map(|x| x.as_ptr());
        for k in 0..k_len {
            for b in 0..BLOCKS {
                let (w0, w1) = W::load16(w[b].add(k * BLOCK));
                for r in 0..ROWS {
                    let xr = _mm256_broadcast_ss(&*x[r].add(k));
                    acc[r][b][0] = _mm256_fmadd_ps(xr, w0, acc[r][b][0]);
                    acc[r][b][1] = _mm256_fmadd_ps(xr, w1, acc[r][b][1]);
                }
            }
        }
        for (acc, sums) in acc.iter().zip(sums.iter_mut()) {
            for (acc, sum) in acc.iter().zip(sums.chunks_exact_mut(BLOCK)) {
                _mm256_storeu_ps(sum.as_mut_ptr(), acc[0]);
                _mm256_storeu_ps(sum.as_mut_ptr().add(8), acc[1]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_product_matches_the_naive_one_for_odd_shapes() {
        // Odd shapes, a full block, rows past one task; tails of 1, 2 and 3 rows over 1 to 7
        // blocks (a partial group of tail blocks included).
        for (rows, out, inp) in [
            (7, 37, 70),
            (5, 16, 256),
            (70, 21, 600),
            (1, 100, 33),
            (2, 70, 20),
            (3, 50, 9),
            (65, 112, 40),
        ] {
            check_against_naive(rows, out, inp);
        }
    }

    #[test]
    fn a_row_gets_the_same_bits_alone_as_in_any_tile() {
        // Every sum adds its products in input order, whatever tile computed it: a unit's
        // scores do not depend on its batch.
        let (out, inp) = (100, 70);
        let w = weights(out, inp, |i| ((i * 11 % 17) as f32 - 8.0) / 9.0);
        let matrix = F32Matrix::pack(&w, out, inp);
        let x: Vec<f32> = (0..9 * inp).map(|i| (i as f32 * 0.37).sin()).collect();
        let all = matrix.matmul(&x, 9);
        for r in 0..9 {
            let alone = matrix.matmul(&x[r * inp..][..inp], 1);
            assert_eq!(alone, all[r * out..][..out], "row {r}");
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

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_tiles_match_the_portable_tile() {
        let simd = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
            && std::arch::is_x86_feature_detected!("f16c");
        if !simd {
            return;
        }
        let k = 37;
        let x: Vec<Vec<f32>> = (0..TILE_ROWS)
            .map(|r| {
                (0..k)
                    .map(|i| ((r * k + i) * 7 % 13) as f32 / 5.0 - 1.2)
                    .collect()
            })
            .collect();
        // Multiples of 1/16: exact in f16, so both weight types give the same products.
        let w: Vec<Vec<f32>> = (0..MAX_TAIL_BLOCKS)
            .map(|b| {
                (0..k * BLOCK)
                    .map(|i| ((b * k * BLOCK + i) * 11 % 17) as f32 / 16.0 - 0.5)
                    .collect()
            })
            .collect();
        let w16: Vec<Vec<f16>> = w
            .iter()
            .map(|b| b.iter().map(|&v| f16::from_f32(v)).collect())
            .collect();
        let inputs: [&[f32]; TILE_ROWS] = std::array::from_fn(|r| x[r].as_slice());
        let weights: [&[f32]; MAX_TAIL_BLOCKS] = std::array::from_fn(|b| w[b].as_slice());
        let weights16: [&[f16]; MAX_TAIL_BLOCKS] = std::array::from_fn(|b| w16[b].as_slice());
        for (rows, blocks) in [
            (1, 1),
            (1, 2),
            (1, 3),
            (1, 4),
            (2, 1),
            (2, 2),
            (3, 1),
            (4, 1),
        ] {
            let mut portable: Sums = [[0f32; BLOCK * MAX_TAIL_BLOCKS]; TILE_ROWS];
            dot_tile_scalar(&inputs, rows, &weights, blocks, &mut portable);
            let mut simd: Sums = [[0f32; BLOCK * MAX_TAIL_BLOCKS]; TILE_ROWS];
            let mut simd16: Sums = [[0f32; BLOCK * MAX_TAIL_BLOCKS]; TILE_ROWS];
            // On this CPU `dot_tile` runs the AVX2 kernel of the (rows, blocks) shape.
            dot_tile(&inputs, rows, &weights, blocks, &mut simd);
            dot_tile(&inputs, rows, &weights16, blocks, &mut simd16);
            let used = blocks.min(if rows == 1 {
                4
            } else if rows == 2 {
                2
            } else {
                1
            });
            for r in 0..rows {
                for c in 0..used * BLOCK {
                    let (p, s) = (portable[r][c], simd[r][c]);
                    assert!(
                        (p - s).abs() < 1e-5 * (1.0 + p.abs()),
                        "{rows}x{blocks}: {p} vs {s}"
                    );
                    assert_eq!(simd16[r][c], s, "f16 weights, {rows}x{blocks}");
                }
            }
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
