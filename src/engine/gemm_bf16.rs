//! A bf16 GEMM on AMX tiles, for training's dense layers: both f32 operands are rounded to
//! bf16 (to nearest, ties to even) as they are packed, and products are summed in f32 — the
//! mixed precision of bf16 autocast in other frameworks. Operands are strided views, so the
//! backward pass's transposed products need no copies besides the packing itself.
//!
//! Only on CPUs with AMX-BF16 ([`available`]); callers fall back to an f32 GEMM elsewhere.

use super::amx;
use rayon::prelude::*;

/// Output rows (and columns) one tile product covers: two tiles of 16.
const BLOCK: usize = 2 * amx::TILE_ROWS;
/// Inputs of one tile row (64 bytes of bf16).
const CHUNK: usize = amx::TILE_BYTES / 2;
/// Columns of one packed column block (one tile's output width).
const COLUMNS: usize = amx::TILE_ROWS;

/// A read-only f32 matrix: element `(r, c)` at `data[r * row_stride + c * col_stride]`.
#[derive(Debug, Clone, Copy)]
pub struct MatrixView<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl MatrixView<'_> {
    fn at(&self, r: usize, c: usize) -> f32 {
        self.data[r * self.row_stride + c * self.col_stride]
    }
}

/// Whether this CPU and kernel run AMX bf16 tiles.
pub fn available() -> bool {
    amx::bf16_available()
}

/// `a · b` (`[m, k] · [k, n]`), row-major `[m, n]`, with both operands rounded to bf16 and the
/// products summed in f32, plus `bias[c]` in every column `c` if given. Panics if the inner
/// dimensions differ, the bias is not `n` long, or [`available`] is false.
pub fn matmul(a: MatrixView, b: MatrixView, bias: Option<&[f32]>) -> Vec<f32> {
    assert_eq!(a.cols, b.rows, "inner dimensions of a bf16 product");
    assert!(bias.is_none_or(|bias| bias.len() == b.cols), "bias length");
    assert!(available(), "AMX bf16 tiles are not available");
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if m == 0 || n == 0 {
        return vec![0f32; m * n];
    }
    let width = k.div_ceil(CHUNK).max(1) * CHUNK;
    // SAFETY (both packers): every CPU with AMX has AVX-512 F and BW.
    let rows = unsafe { pack_rows(a, width) };
    let blocks = unsafe { pack_columns(b, width) };
    let block_len = width / 2 * COLUMNS;
    let pairs = blocks.len() / (2 * block_len);
    let mut out: Vec<f32> = Vec::with_capacity(m * n);
    out.spare_capacity_mut()[..m * n]
        .par_chunks_mut(BLOCK * n)
        .enumerate()
        .for_each(|(task, out_rows)| {
            let rows = &rows[task * BLOCK * width..(task + 1) * BLOCK * width];
            let valid_rows = out_rows.len() / n;
            let mut sums = [0f32; 2 * amx::TILE_ROWS * BLOCK];
            // SAFETY: `available` was checked above; the tiles stay on this thread.
            let tiles = unsafe { amx::Tiles::configure() };
            for pair in 0..pairs {
                let at = 2 * pair * block_len;
                tiles.multiply_bf16_32x32(
                    rows,
                    width,
                    &blocks[at..at + block_len],
                    &blocks[at + block_len..at + 2 * block_len],
                    &mut sums,
                );
                let first = pair * BLOCK;
                let cols = BLOCK.min(n - first);
                for r in 0..valid_rows {
                    let dst = &mut out_rows[r * n + first..r * n + first + cols];
                    let row_sums = &sums[r * BLOCK..r * BLOCK + cols];
                    match bias {
                        Some(bias) => {
                            for ((d, &s), &b) in dst.iter_mut().zip(row_sums).zip(&bias[first..]) {
                                d.write(s + b);
                            }
                        }
                        None => {
                            for (d, &s) in dst.iter_mut().zip(row_sums) {
                                d.write(s);
                            }
                        }
                    }
                }
            }
        });
    // SAFETY: the tasks above wrote every one of the m × n values (each task its rows, every
    // column pair of them).
    unsafe { out.set_len(m * n) };
    out
}

/// `x` rounded to the nearest bf16 (ties to even), in the high half of an f32's bits (the low
/// half is garbage to shift or mask away).
#[inline(always)]
fn rounded_bits(x: f32) -> u32 {
    let bits = x.to_bits();
    bits.wrapping_add(0x7FFF + ((bits >> 16) & 1))
}

/// `x` rounded to the nearest bf16 (ties to even), as its bits.
#[inline(always)]
fn bf16_bits(x: f32) -> u16 {
    (rounded_bits(x) >> 16) as u16
}

/// Two values rounded to bf16 and packed as a pair: `low` in the low half.
#[inline(always)]
fn bf16_pair(low: f32, high: f32) -> u32 {
    (rounded_bits(low) >> 16) | (rounded_bits(high) & 0xFFFF_0000)
}

/// The rows of `a` as bf16, row-major with `width` values per row (zero-padded) and the row
/// count padded to a whole [`BLOCK`].
///
/// # Safety
/// The CPU must have AVX-512 F and BW (the loops are compiled for them).
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn pack_rows(a: MatrixView, width: usize) -> Vec<u16> {
    let padded_rows = a.rows.div_ceil(BLOCK) * BLOCK;
    let mut packed = vec![0u16; padded_rows * width];
    packed
        .par_chunks_mut(BLOCK * width)
        .enumerate()
        .for_each(|(task, dst)| {
            let first = task * BLOCK;
            let count = BLOCK.min(a.rows.saturating_sub(first));
            // SAFETY: as for the caller.
            unsafe {
                if a.col_stride == 1 {
                    pack_contiguous_rows(a, first, count, width, dst)
                } else {
                    pack_strided_rows(a, first, count, width, dst)
                }
            }
        });
    packed
}

/// Rows `first..first + count` of a row-major `a` into `dst` (rows of `width`).
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn pack_contiguous_rows(
    a: MatrixView,
    first: usize,
    count: usize,
    width: usize,
    dst: &mut [u16],
) {
    for r in 0..count {
        let src = &a.data[(first + r) * a.row_stride..][..a.cols];
        for (d, &x) in dst[r * width..][..a.cols].iter_mut().zip(src) {
            *d = bf16_bits(x);
        }
    }
}

/// Rows `first..first + count` of a strided (typically transposed) `a` into `dst`, two inputs
/// at a time so that each store writes a pair.
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn pack_strided_rows(
    a: MatrixView,
    first: usize,
    count: usize,
    width: usize,
    dst: &mut [u16],
) {
    let mut pairs = [0u32; BLOCK];
    for c in (0..a.cols).step_by(2) {
        for (r, pair) in pairs[..count].iter_mut().enumerate() {
            let low = a.at(first + r, c);
            let high = if c + 1 < a.cols {
                a.at(first + r, c + 1)
            } else {
                0.0
            };
            *pair = bf16_pair(low, high);
        }
        for (r, &pair) in pairs[..count].iter().enumerate() {
            dst[r * width + c] = pair as u16;
            if c + 1 < a.cols {
                dst[r * width + c + 1] = (pair >> 16) as u16;
            }
        }
    }
}

/// The columns of `b` in blocks of [`COLUMNS`], the block count padded to even; within a block,
/// for each pair of inputs, 16 `u32`s (column `j`'s even input in the low half, odd in the high).
///
/// # Safety
/// The CPU must have AVX-512 F and BW (the loops are compiled for them).
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn pack_columns(b: MatrixView, width: usize) -> Vec<u32> {
    let blocks = b.cols.div_ceil(BLOCK) * 2;
    let block_len = width / 2 * COLUMNS;
    let mut packed = vec![0u32; blocks * block_len];
    packed
        .par_chunks_mut(block_len)
        .enumerate()
        .for_each(|(block, dst)| {
            let first = block * COLUMNS;
            let count = COLUMNS.min(b.cols.saturating_sub(first));
            // SAFETY: as for the caller.
            unsafe {
                if b.col_stride == 1 && count == COLUMNS {
                    pack_full_block_of_rows(b, first, dst)
                } else {
                    pack_block(b, first, count, dst)
                }
            }
        });
    packed
}

/// One block of 16 columns of a row-major `b`: each pair of rows gives 16 pairs.
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn pack_full_block_of_rows(b: MatrixView, first: usize, dst: &mut [u32]) {
    let full_pairs = b.rows / 2;
    for (pair, out) in dst.chunks_exact_mut(COLUMNS).take(full_pairs).enumerate() {
        let even = &b.data[2 * pair * b.row_stride + first..][..COLUMNS];
        let odd = &b.data[(2 * pair + 1) * b.row_stride + first..][..COLUMNS];
        for ((o, &low), &high) in out.iter_mut().zip(even).zip(odd) {
            *o = bf16_pair(low, high);
        }
    }
    if b.rows % 2 == 1 {
        let last = &b.data[(b.rows - 1) * b.row_stride + first..][..COLUMNS];
        for (o, &low) in dst[full_pairs * COLUMNS..][..COLUMNS].iter_mut().zip(last) {
            *o = bf16_pair(low, 0.0);
        }
    }
}

/// Columns `first..first + count` of any `b` (a partial block, or columns stored contiguously).
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn pack_block(b: MatrixView, first: usize, count: usize, dst: &mut [u32]) {
    for c in 0..count {
        for pair in 0..b.rows.div_ceil(2) {
            let low = b.at(2 * pair, first + c);
            let high = if 2 * pair + 1 < b.rows {
                b.at(2 * pair + 1, first + c)
            } else {
                0.0
            };
            dst[pair * COLUMNS + c] = bf16_pair(low, high);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(data: &[f32], rows: usize, cols: usize, transposed: bool) -> MatrixView<'_> {
        if transposed {
            MatrixView {
                data,
                rows,
                cols,
                row_stride: 1,
                col_stride: rows,
            }
        } else {
            MatrixView {
                data,
                rows,
                cols,
                row_stride: cols,
                col_stride: 1,
            }
        }
    }

    fn rounded(x: f32) -> f32 {
        f32::from_bits(u32::from(bf16_bits(x)) << 16)
    }

    #[test]
    fn rounds_to_nearest_even() {
        assert_eq!(bf16_bits(1.0), 0x3F80);
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even (1.0).
        assert_eq!(bf16_bits(1.0 + 1.0 / 256.0), 0x3F80);
        assert_eq!(bf16_bits(1.0 + 3.0 / 256.0), 0x3F82);
        assert_eq!(bf16_bits(-2.0), 0xC000);
    }

    /// Every shape and layout gives the f32 product of the bf16-rounded operands (up to the
    /// order of f32 additions).
    #[test]
    fn matches_the_product_of_rounded_operands() {
        if !available() {
            eprintln!("skipped: no AMX bf16 on this CPU");
            return;
        }
        for &(m, k, n) in &[
            (1, 1, 1),
            (5, 7, 3),
            (33, 40, 17),
            (64, 96, 64),
            (70, 513, 45),
        ] {
            for &(ta, tb) in &[(false, false), (true, false), (false, true), (true, true)] {
                let a: Vec<f32> = (0..m * k)
                    .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.3)
                    .collect();
                let b: Vec<f32> = (0..k * n)
                    .map(|i| ((i * 53 % 89) as f32 - 44.0) / 5.1)
                    .collect();
                let (va, vb) = (view(&a, m, k, ta), view(&b, k, n, tb));
                let bias: Vec<f32> = (0..n).map(|c| c as f32 - 2.5).collect();
                let got = matmul(va, vb, Some(&bias));
                for r in 0..m {
                    for c in 0..n {
                        let want: f32 = bias[c]
                            + (0..k)
                                .map(|i| rounded(va.at(r, i)) * rounded(vb.at(i, c)))
                                .sum::<f32>();
                        let diff = (got[r * n + c] - want).abs();
                        assert!(
                            diff <= 1e-3 * want.abs().max(1.0),
                            "({m},{k},{n}) transposed {ta}/{tb} at ({r},{c}): {} vs {want}",
                            got[r * n + c]
                        );
                    }
                }
            }
        }
    }
}
