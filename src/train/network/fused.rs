//! Differentiable fused ops for training: GELU, layer norm, attention's scaled and masked
//! softmax, and scaling by a fixed mask (dropout) as single candle custom ops with hand-written
//! backward passes.
//!
//! candle's differentiable versions of these compose several element-wise ops (layer norm:
//! about ten), each allocating its result, and its GELU calls libm's `erf`; together they cost
//! as much CPU time in a training step as the matrix products. Each op here is one pass over
//! the data in [`crate::engine::kernels`], forward and backward. f32 on the CPU only (training's
//! dtype and device).

use crate::engine::kernels;
use candle_core::{CpuStorage, CustomOp1, CustomOp2, CustomOp3, Layout, Result, Shape, Tensor};
use rayon::prelude::*;
use std::sync::Arc;

/// Fewest values one rayon task takes in the element-wise loops here.
const PAR_MIN_VALUES: usize = 4096;

/// The f32 values of a contiguous CPU tensor argument.
fn values<'a>(storage: &'a CpuStorage, layout: &Layout, op: &'static str) -> Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        use candle_core::backend::BackendStorage;
        return Err(candle_core::Error::UnsupportedDTypeForOp(
            storage.dtype(),
            op,
        ));
    };
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(&data[start..end]),
        None => Err(candle_core::Error::RequiresContiguous { op }),
    }
}

/// Size of the last dimension.
fn width(layout: &Layout) -> usize {
    layout.dims().last().copied().unwrap_or(1)
}

/// A row-wise op whose backward pass needs the op's input besides the gradient (GELU).
#[derive(Clone, Copy)]
struct RowWise {
    name: &'static str,
    /// Forward pass in place over rows of the given width.
    forward: fn(&mut [f32], usize),
    /// Backward pass: turns the output's gradient into the input's, given the input.
    backward: fn(&mut [f32], &[f32], usize),
    backward_name: &'static str,
}

impl CustomOp1 for RowWise {
    fn name(&self) -> &'static str {
        self.name
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let mut out = values(storage, layout, self.name)?.to_vec();
        (self.forward)(&mut out, width(layout));
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }

    fn bwd(&self, arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        let backward = RowWiseBackward {
            name: self.backward_name,
            backward: self.backward,
        };
        Ok(Some(
            grad_res.contiguous()?.apply_op2_no_bwd(arg, &backward)?,
        ))
    }
}

/// The backward pass of a [`RowWise`] op (arguments: the output's gradient, the op's input).
struct RowWiseBackward {
    name: &'static str,
    backward: fn(&mut [f32], &[f32], usize),
}

impl CustomOp2 for RowWiseBackward {
    fn name(&self) -> &'static str {
        self.name
    }

    fn cpu_fwd(
        &self,
        grad: &CpuStorage,
        grad_layout: &Layout,
        input: &CpuStorage,
        input_layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let mut out = values(grad, grad_layout, self.name)?.to_vec();
        let input = values(input, input_layout, self.name)?;
        (self.backward)(&mut out, input, width(grad_layout));
        Ok((CpuStorage::F32(out), grad_layout.shape().clone()))
    }
}

const GELU: RowWise = RowWise {
    name: "privclause-gelu",
    forward: kernels::gelu_in_place,
    backward: kernels::gelu_backward,
    backward_name: "privclause-gelu-backward",
};

/// The exact (erf) GELU, element-wise.
pub fn gelu(xs: &Tensor) -> Result<Tensor> {
    xs.contiguous()?.apply_op1(GELU)
}

/// `xs` times a fixed per-element `factors` (dropout's mask), as one op whose backward pass
/// scales the gradient by the same factors (a product with a constant tensor would also
/// compute the constant's gradient).
pub fn scale_elementwise(xs: &Tensor, factors: Arc<[f32]>) -> Result<Tensor> {
    if factors.len() != xs.elem_count() {
        return Err(candle_core::Error::Msg(format!(
            "privclause-scale: {} factors for {} values",
            factors.len(),
            xs.elem_count()
        )));
    }
    xs.contiguous()?.apply_op1(Scale { factors })
}

struct Scale {
    factors: Arc<[f32]>,
}

impl CustomOp1 for Scale {
    fn name(&self) -> &'static str {
        "privclause-scale"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let xs = values(storage, layout, self.name())?;
        let out = xs
            .par_iter()
            .zip(self.factors.par_iter())
            .with_min_len(PAR_MIN_VALUES)
            .map(|(x, f)| x * f)
            .collect();
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }

    fn bwd(&self, _arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        let same = Scale {
            factors: self.factors.clone(),
        };
        Ok(Some(grad_res.contiguous()?.apply_op1_no_bwd(&same)?))
    }
}

/// Attention probabilities: softmax over the last dimension of `scores · scale + mask`, for
/// `scores` `[batch, heads, queries, keys]` and an additive key mask `[batch, keys]`, as one op
/// (the scaled and masked scores are never a tensor of their own, forward or backward).
pub fn masked_softmax(scores: &Tensor, mask: &Tensor, scale: f32) -> Result<Tensor> {
    scores
        .contiguous()?
        .apply_op2(&mask.contiguous()?, MaskedSoftmax { scale })
}

struct MaskedSoftmax {
    scale: f32,
}

impl CustomOp2 for MaskedSoftmax {
    fn name(&self) -> &'static str {
        "privclause-masked-softmax"
    }

    fn cpu_fwd(
        &self,
        scores: &CpuStorage,
        scores_layout: &Layout,
        mask: &CpuStorage,
        mask_layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let keys = width(scores_layout);
        let mask = values(mask, mask_layout, self.name())?;
        let batch = scores_layout.dims().first().copied().unwrap_or(1);
        if mask.len() != batch * keys {
            return Err(candle_core::Error::Msg(format!(
                "{}: a mask of {} values for {batch} items of {keys} keys",
                self.name(),
                mask.len()
            )));
        }
        let mut out = values(scores, scores_layout, self.name())?.to_vec();
        let per_item = out.len() / batch.max(1);
        out.par_chunks_mut(per_item)
            .zip(mask.par_chunks(keys))
            .for_each(|(item, item_mask)| {
                for row in item.chunks_exact_mut(keys) {
                    for (v, m) in row.iter_mut().zip(item_mask) {
                        *v = *v * self.scale + m;
                    }
                }
            });
        kernels::softmax_rows(&mut out, keys);
        Ok((CpuStorage::F32(out), scores_layout.shape().clone()))
    }

    fn bwd(
        &self,
        _scores: &Tensor,
        _mask: &Tensor,
        res: &Tensor,
        grad_res: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let backward = MaskedSoftmaxBackward { scale: self.scale };
        let grad = grad_res.contiguous()?.apply_op2_no_bwd(res, &backward)?;
        Ok((Some(grad), None))
    }
}

/// [`MaskedSoftmax`]'s backward pass (arguments: the output's gradient, the output).
struct MaskedSoftmaxBackward {
    scale: f32,
}

impl CustomOp2 for MaskedSoftmaxBackward {
    fn name(&self) -> &'static str {
        "privclause-masked-softmax-backward"
    }

    fn cpu_fwd(
        &self,
        grad: &CpuStorage,
        grad_layout: &Layout,
        probs: &CpuStorage,
        probs_layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let mut out = values(grad, grad_layout, self.name())?.to_vec();
        let probs = values(probs, probs_layout, self.name())?;
        kernels::softmax_backward(&mut out, probs, width(grad_layout));
        out.par_iter_mut()
            .with_min_len(PAR_MIN_VALUES)
            .for_each(|v| *v *= self.scale);
        Ok((CpuStorage::F32(out), grad_layout.shape().clone()))
    }
}

/// Layer normalisation over the last dimension, then `· gamma + beta`.
pub fn layer_norm(xs: &Tensor, gamma: &Tensor, beta: &Tensor, eps: f32) -> Result<Tensor> {
    xs.contiguous()?.apply_op3(gamma, beta, LayerNorm { eps })
}

struct LayerNorm {
    eps: f32,
}

impl CustomOp3 for LayerNorm {
    fn name(&self) -> &'static str {
        "privclause-layer-norm"
    }

    fn cpu_fwd(
        &self,
        x: &CpuStorage,
        x_layout: &Layout,
        gamma: &CpuStorage,
        gamma_layout: &Layout,
        beta: &CpuStorage,
        beta_layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let gamma = values(gamma, gamma_layout, self.name())?;
        let beta = values(beta, beta_layout, self.name())?;
        if gamma.len() != width(x_layout) || beta.len() != gamma.len() {
            return Err(candle_core::Error::Msg(format!(
                "{}: gamma/beta of {} and {} for rows of {}",
                self.name(),
                gamma.len(),
                beta.len(),
                width(x_layout)
            )));
        }
        let mut out = values(x, x_layout, self.name())?.to_vec();
        kernels::norm_rows(&mut out, gamma, beta, self.eps);
        Ok((CpuStorage::F32(out), x_layout.shape().clone()))
    }

    fn bwd(
        &self,
        x: &Tensor,
        gamma: &Tensor,
        _beta: &Tensor,
        _res: &Tensor,
        grad_res: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let grad = grad_res.contiguous()?;
        let eps = self.eps;
        let grad_x = grad.apply_op3_no_bwd(x, gamma, &LayerNormInputGrad { eps })?;
        let params = grad.apply_op2_no_bwd(x, &LayerNormParameterGrads { eps })?;
        let grad_gamma = params.get(0)?;
        let grad_beta = params.get(1)?;
        Ok((Some(grad_x), Some(grad_gamma), Some(grad_beta)))
    }
}

/// Layer norm's input gradient (arguments: the output's gradient, the input, gamma).
struct LayerNormInputGrad {
    eps: f32,
}

impl CustomOp3 for LayerNormInputGrad {
    fn name(&self) -> &'static str {
        "privclause-layer-norm-input-grad"
    }

    fn cpu_fwd(
        &self,
        grad: &CpuStorage,
        grad_layout: &Layout,
        x: &CpuStorage,
        x_layout: &Layout,
        gamma: &CpuStorage,
        gamma_layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let mut out = values(grad, grad_layout, self.name())?.to_vec();
        kernels::norm_backward(
            &mut out,
            values(x, x_layout, self.name())?,
            values(gamma, gamma_layout, self.name())?,
            self.eps,
        );
        Ok((CpuStorage::F32(out), grad_layout.shape().clone()))
    }
}

/// Layer norm's gamma and beta gradients as one `[2, width]` tensor (arguments: the output's
/// gradient, the input).
struct LayerNormParameterGrads {
    eps: f32,
}

impl CustomOp2 for LayerNormParameterGrads {
    fn name(&self) -> &'static str {
        "privclause-layer-norm-parameter-grads"
    }

    fn cpu_fwd(
        &self,
        grad: &CpuStorage,
        grad_layout: &Layout,
        x: &CpuStorage,
        x_layout: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let width = width(grad_layout);
        let (mut gamma, beta) = kernels::norm_parameter_grads(
            values(grad, grad_layout, self.name())?,
            values(x, x_layout, self.name())?,
            width,
            self.eps,
        );
        gamma.extend(beta);
        Ok((CpuStorage::F32(gamma), Shape::from((2, width))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var, D};

    /// Gradients of `Σ w·f(x)` for each of `inputs`, as flat vectors.
    fn gradients(inputs: &[&Var], output: &Tensor, weights: &Tensor) -> Vec<Vec<f32>> {
        let loss = (output * weights).unwrap().sum_all().unwrap();
        let grads = loss.backward().unwrap();
        inputs
            .iter()
            .map(|v| {
                grads
                    .get(v.as_tensor())
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .to_vec1()
                    .unwrap()
            })
            .collect()
    }

    fn close(a: &Tensor, b: &Tensor, tolerance: f32) {
        let diff = (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(diff < tolerance, "max difference {diff}");
    }

    fn assert_all_close(a: &[Vec<f32>], b: &[Vec<f32>], tolerance: f32) {
        for (a, b) in a.iter().zip(b) {
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() < tolerance, "{x} vs {y}");
            }
        }
    }

    fn random(shape: (usize, usize, usize), seed: u64) -> Tensor {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let n = shape.0 * shape.1 * shape.2;
        let v: Vec<f32> = (0..n).map(|_| rng.random_range(-3.0..3.0)).collect();
        Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
    }

    #[test]
    fn gelu_matches_candle_forward_and_backward() {
        let x = Var::from_tensor(&random((2, 5, 24), 1)).unwrap();
        let w = random((2, 5, 24), 2);
        let ours = gelu(x.as_tensor()).unwrap();
        let theirs = x.as_tensor().gelu_erf().unwrap();
        close(&ours, &theirs, 1e-5);
        assert_all_close(
            &gradients(&[&x], &ours, &w),
            &gradients(&[&x], &theirs, &w),
            1e-4,
        );
    }

    #[test]
    fn layer_norm_matches_candle_forward_and_backward() {
        let x = Var::from_tensor(&random((2, 7, 40), 3)).unwrap();
        let gamma = Var::from_tensor(&random((1, 1, 40), 4).flatten_all().unwrap()).unwrap();
        let beta = Var::from_tensor(&random((1, 1, 40), 5).flatten_all().unwrap()).unwrap();
        let w = random((2, 7, 40), 6);
        let ours = layer_norm(x.as_tensor(), gamma.as_tensor(), beta.as_tensor(), 1e-12).unwrap();
        let theirs = candle_nn::ops::layer_norm_slow(
            x.as_tensor(),
            gamma.as_tensor(),
            beta.as_tensor(),
            1e-12,
        )
        .unwrap();
        close(&ours, &theirs, 1e-4);
        let vars = [&x, &gamma, &beta];
        assert_all_close(
            &gradients(&vars, &ours, &w),
            &gradients(&vars, &theirs, &w),
            1e-3,
        );
    }

    /// Scores `[2, 3, 4, 19]` and a key mask `[2, 19]` masking the last keys of item 1.
    fn scores_and_mask() -> (Tensor, Tensor) {
        let scores = random((6, 4, 19), 7).reshape((2, 3, 4, 19)).unwrap();
        let mask: Vec<f32> = (0..2 * 19)
            .map(|i| if i >= 19 + 15 { -1e4 } else { 0.0 })
            .collect();
        (
            scores,
            Tensor::from_vec(mask, (2, 19), &Device::Cpu).unwrap(),
        )
    }

    fn candle_masked_softmax(scores: &Tensor, mask: &Tensor, scale: f64) -> Tensor {
        let mask = mask.reshape((2, 1, 1, 19)).unwrap();
        let scaled = (scores * scale).unwrap().broadcast_add(&mask).unwrap();
        candle_nn::ops::softmax(&scaled, D::Minus1).unwrap()
    }

    #[test]
    fn masked_softmax_matches_candle_forward_and_backward() {
        let (scores, mask) = scores_and_mask();
        let x = Var::from_tensor(&scores).unwrap();
        let w = random((6, 4, 19), 8).reshape((2, 3, 4, 19)).unwrap();
        let ours = masked_softmax(x.as_tensor(), &mask, 0.125).unwrap();
        let theirs = candle_masked_softmax(x.as_tensor(), &mask, 0.125);
        close(&ours, &theirs, 1e-6);
        assert_all_close(
            &gradients(&[&x], &ours, &w),
            &gradients(&[&x], &theirs, &w),
            1e-5,
        );
    }

    #[test]
    fn non_contiguous_input_is_accepted() {
        let (scores, mask) = scores_and_mask();
        let transposed = scores.transpose(1, 2).unwrap().transpose(1, 2).unwrap();
        let transposed = transposed.transpose(2, 3).unwrap().transpose(2, 3).unwrap();
        let strided = Tensor::cat(&[&transposed, &transposed], 3)
            .unwrap()
            .narrow(3, 0, 19)
            .unwrap();
        assert!(!strided.is_contiguous());
        close(
            &masked_softmax(&strided, &mask, 0.5).unwrap(),
            &candle_masked_softmax(&scores, &mask, 0.5),
            1e-6,
        );
    }

    #[test]
    fn scale_elementwise_scales_values_and_gradients() {
        let x = Var::from_tensor(&random((2, 3, 4), 10)).unwrap();
        let factors: Vec<f32> = (0..24).map(|i| (i % 3) as f32 * 1.25).collect();
        let w = random((2, 3, 4), 11);
        let constant = Tensor::from_vec(factors.clone(), (2, 3, 4), &Device::Cpu).unwrap();
        let ours = scale_elementwise(x.as_tensor(), factors.into()).unwrap();
        let theirs = x.as_tensor().mul(&constant).unwrap();
        close(&ours, &theirs, 1e-6);
        assert_all_close(
            &gradients(&[&x], &ours, &w),
            &gradients(&[&x], &theirs, &w),
            1e-6,
        );
        assert!(scale_elementwise(x.as_tensor(), vec![1.0; 5].into()).is_err());
    }
}
