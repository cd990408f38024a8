//! The dense layers' matrix products for training: bf16 operands with f32 sums on AMX tiles
//! ([`crate::engine::gemm_bf16`]) where the CPU has them, candle's f32 product elsewhere or
//! when asked for. Weights, gradients and the optimizer stay f32 (mixed precision).

use candle_core::{CpuStorage, CustomOp2, CustomOp3, Layout, Result, Shape, Tensor};
use serde::{Deserialize, Serialize};

/// Arithmetic of training's dense-layer products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Products {
    /// bf16 operands, f32 sums, on AMX tiles when the CPU has them (else f32).
    Bf16,
    /// f32 throughout (candle's GEMM).
    F32,
}

impl Products {
    /// What this CPU will actually run for the requested arithmetic.
    pub fn effective(self) -> Self {
        if self == Products::Bf16 && bf16_tiles_available() {
            Products::Bf16
        } else {
            Products::F32
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn bf16_tiles_available() -> bool {
    crate::engine::gemm_bf16::available()
}

#[cfg(not(target_arch = "x86_64"))]
fn bf16_tiles_available() -> bool {
    false
}

/// The dense layer `x·wᵀ + b` for `x` `[.., k]`, `w` `[n, k]`, `b` `[n]`: one differentiable
/// op with bf16 products (its backward pass two more bf16 products and a column sum), or
/// candle's f32 product and broadcast add.
pub fn linear(x: &Tensor, w: &Tensor, b: &Tensor, products: Products) -> Result<Tensor> {
    let dims = x.dims();
    let (rows, k) = (x.elem_count() / dims[dims.len() - 1], dims[dims.len() - 1]);
    let mut out_dims = dims.to_vec();
    *out_dims.last_mut().expect("non-scalar input") = w.dim(0)?;
    let x2 = x.reshape((rows, k))?;
    let out = match products.effective() {
        Products::Bf16 => x2.apply_op3(w, b, Bf16Linear)?,
        Products::F32 => x2.matmul(&w.t()?)?.broadcast_add(b)?,
    };
    out.reshape(out_dims)
}

/// `x·wᵀ + b` with bf16 products, for 2-D `x`.
struct Bf16Linear;

impl CustomOp3 for Bf16Linear {
    fn name(&self) -> &'static str {
        "bf16-linear"
    }

    #[cfg(target_arch = "x86_64")]
    fn cpu_fwd(
        &self,
        x: &CpuStorage,
        x_layout: &Layout,
        w: &CpuStorage,
        w_layout: &Layout,
        b: &CpuStorage,
        b_layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        use crate::engine::gemm_bf16;
        let x = view(x, x_layout)?;
        let w = view(w, w_layout)?;
        let wt = gemm_bf16::MatrixView {
            rows: w.cols,
            cols: w.rows,
            row_stride: w.col_stride,
            col_stride: w.row_stride,
            ..w
        };
        let bias = vector(b, b_layout, wt.cols)?;
        check_inner(&x, &wt)?;
        let shape = Shape::from((x.rows, wt.cols));
        Ok((CpuStorage::F32(gemm_bf16::matmul(x, wt, Some(bias))), shape))
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn cpu_fwd(
        &self,
        _: &CpuStorage,
        _: &Layout,
        _: &CpuStorage,
        _: &Layout,
        _: &CpuStorage,
        _: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        Err(candle_core::Error::Msg(
            "bf16-linear needs AMX tiles".into(),
        ))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let grad_x = grad.apply_op2_no_bwd(w, &Bf16MatMul)?;
        let grad_w = grad.t()?.apply_op2_no_bwd(x, &Bf16MatMul)?;
        let grad_b = grad.sum(0)?;
        Ok((Some(grad_x), Some(grad_w), Some(grad_b)))
    }
}

/// `a · b` with bf16 products, for 2-D tensors of any strides (the backward passes' products).
struct Bf16MatMul;

impl CustomOp2 for Bf16MatMul {
    fn name(&self) -> &'static str {
        "bf16-matmul"
    }

    #[cfg(target_arch = "x86_64")]
    fn cpu_fwd(
        &self,
        a: &CpuStorage,
        a_layout: &Layout,
        b: &CpuStorage,
        b_layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        use crate::engine::gemm_bf16;
        let a = view(a, a_layout)?;
        let b = view(b, b_layout)?;
        check_inner(&a, &b)?;
        let shape = Shape::from((a.rows, b.cols));
        Ok((CpuStorage::F32(gemm_bf16::matmul(a, b, None)), shape))
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn cpu_fwd(
        &self,
        _: &CpuStorage,
        _: &Layout,
        _: &CpuStorage,
        _: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        Err(candle_core::Error::Msg(
            "bf16-matmul needs AMX tiles".into(),
        ))
    }
}

#[cfg(target_arch = "x86_64")]
fn check_inner(
    a: &crate::engine::gemm_bf16::MatrixView,
    b: &crate::engine::gemm_bf16::MatrixView,
) -> Result<()> {
    if a.cols == b.rows {
        Ok(())
    } else {
        Err(candle_core::Error::Msg(format!(
            "bf16 product: inner dimensions {} and {} differ",
            a.cols, b.rows
        )))
    }
}

/// A contiguous f32 CPU vector of `len` values.
#[cfg(target_arch = "x86_64")]
fn vector<'a>(storage: &'a CpuStorage, layout: &Layout, len: usize) -> Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        use candle_core::backend::BackendStorage;
        return Err(candle_core::Error::UnsupportedDTypeForOp(
            storage.dtype(),
            "bf16-linear",
        ));
    };
    match layout.contiguous_offsets() {
        Some((start, end)) if end - start == len => Ok(&data[start..end]),
        _ => Err(candle_core::Error::Msg(format!(
            "bf16-linear: the bias must be a contiguous vector of {len} values"
        ))),
    }
}

/// A 2-D f32 CPU tensor as a strided matrix view.
#[cfg(target_arch = "x86_64")]
fn view<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
) -> Result<crate::engine::gemm_bf16::MatrixView<'a>> {
    let CpuStorage::F32(data) = storage else {
        use candle_core::backend::BackendStorage;
        return Err(candle_core::Error::UnsupportedDTypeForOp(
            storage.dtype(),
            "bf16 product",
        ));
    };
    let (&[rows, cols], &[row_stride, col_stride]) = (layout.dims(), layout.stride()) else {
        return Err(candle_core::Error::Msg(format!(
            "bf16 product: takes 2-D tensors, got {:?}",
            layout.dims()
        )));
    };
    Ok(crate::engine::gemm_bf16::MatrixView {
        data: &data[layout.start_offset()..],
        rows,
        cols,
        row_stride,
        col_stride,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    /// The bf16 layer's output and gradients agree with the f32 layer's (to bf16 precision).
    #[test]
    fn gradients_match_the_f32_layer() -> Result<()> {
        if Products::Bf16.effective() != Products::Bf16 {
            eprintln!("skipped: no AMX bf16 on this CPU");
            return Ok(());
        }
        let dev = Device::Cpu;
        let x = Var::from_tensor(&Tensor::randn(0f32, 1.0, (3, 13, 70), &dev)?)?;
        let w = Var::from_tensor(&Tensor::randn(0f32, 1.0, (45, 70), &dev)?)?;
        let b = Var::from_tensor(&Tensor::randn(0f32, 1.0, 45, &dev)?)?;
        let target = Tensor::randn(0f32, 1.0, (3, 13, 45), &dev)?;
        let run = |products| -> Result<_> {
            let y = linear(x.as_tensor(), w.as_tensor(), b.as_tensor(), products)?;
            let loss = (y - &target)?.sqr()?.sum_all()?;
            let grads = loss.backward()?;
            let grad = |v: &Var| grads.get(v.as_tensor()).expect("gradient").clone();
            Ok((loss.to_scalar::<f32>()?, [grad(&x), grad(&w), grad(&b)]))
        };
        let (loss16, grads16) = run(Products::Bf16)?;
        let (loss32, grads32) = run(Products::F32)?;
        assert!(
            (loss16 - loss32).abs() <= 0.02 * loss32.abs(),
            "{loss16} vs {loss32}"
        );
        for (g16, g32) in grads16.iter().zip(&grads32) {
            assert_eq!(g16.dims(), g32.dims());
            let err = (g16 - g32)?.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()?;
            let norm = g32.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()?;
            assert!(
                err <= 0.02 * norm,
                "gradient error {err} against norm {norm}"
            );
        }
        Ok(())
    }
}
