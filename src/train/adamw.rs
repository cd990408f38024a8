//! AdamW with gradient clipping as one fused, parallel pass per parameter.
//!
//! candle-nn's `AdamW` runs about a dozen tensor operations per parameter per step, each
//! allocating a full-size tensor and each one single-threaded pass over memory, and clipping
//! adds three more. Here the global gradient norm is one parallel read of the gradients, and
//! each parameter, its moments and its (scaled) gradient are updated in place in one parallel
//! pass. The arithmetic is candle-nn's (decoupled weight decay, bias-corrected moments), in f32.

use candle_core::backprop::GradStore;
use candle_core::{CpuStorage, InplaceOp2, Layout, Result, Storage, Tensor, Var};
use rayon::prelude::*;
use std::sync::Mutex;

/// Elements one rayon task updates.
const CHUNK: usize = 1 << 14;

/// AdamW's hyper-parameters (candle-nn's defaults but the learning rate and weight decay).
#[derive(Debug, Clone, Copy)]
pub struct AdamWParams {
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl AdamWParams {
    /// candle-nn's `ParamsAdamW` defaults with this learning rate and weight decay.
    pub fn new(learning_rate: f64, weight_decay: f64) -> Self {
        Self {
            learning_rate,
            weight_decay,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

/// The optimizer: each trainable parameter with its first and second moments.
pub struct FusedAdamW {
    params: AdamWParams,
    states: Vec<(Var, Mutex<Moments>)>,
    step: i32,
}

/// A parameter's first and second moments, element by element.
struct Moments {
    first: Vec<f32>,
    second: Vec<f32>,
}

impl FusedAdamW {
    /// An optimizer over `vars` (f32 parameters), moments at zero.
    pub fn new(vars: Vec<Var>, params: AdamWParams) -> Self {
        let states = vars
            .into_iter()
            .map(|var| {
                let n = var.elem_count();
                let moments = Moments {
                    first: vec![0.0; n],
                    second: vec![0.0; n],
                };
                (var, Mutex::new(moments))
            })
            .collect();
        Self {
            params,
            states,
            step: 0,
        }
    }

    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        self.params.learning_rate = learning_rate;
    }

    /// One step: gradients scaled down so that their global L2 norm is at most
    /// `max_grad_norm`, then AdamW. Returns the norm before clipping.
    pub fn step(&mut self, grads: &GradStore, max_grad_norm: f64) -> Result<f64> {
        let mut total = 0f64;
        for (var, _) in &self.states {
            if let Some(g) = grads.get(var.as_tensor()) {
                // Chunk sums in parallel, added in chunk order: rayon's own `sum` adds in
                // whatever order the tasks finish, so runs with one seed would differ.
                let chunk_sums: Vec<f64> = with_f32_slice(g, |g| {
                    g.par_chunks(CHUNK)
                        .map(|c| c.iter().map(|&x| x as f64 * x as f64).sum::<f64>())
                        .collect()
                })?;
                total += chunk_sums.iter().sum::<f64>();
            }
        }
        let norm = total.sqrt();
        let grad_scale = if norm > max_grad_norm {
            max_grad_norm / (norm + 1e-6)
        } else {
            1.0
        };
        self.step += 1;
        let p = self.params;
        let update = Update {
            grad_scale: grad_scale as f32,
            beta1: p.beta1 as f32,
            beta2: p.beta2 as f32,
            scale_m: (1.0 / (1.0 - p.beta1.powi(self.step))) as f32,
            scale_v: (1.0 / (1.0 - p.beta2.powi(self.step))) as f32,
            decay: (1.0 - p.learning_rate * p.weight_decay) as f32,
            learning_rate: p.learning_rate as f32,
            eps: p.eps as f32,
        };
        for (var, moments) in &self.states {
            if let Some(g) = grads.get(var.as_tensor()) {
                var.as_tensor()
                    .inplace_op2(g, &UpdateOp { update, moments })?;
            }
        }
        Ok(norm)
    }
}

/// The step's coefficients.
#[derive(Debug, Clone, Copy)]
struct Update {
    grad_scale: f32,
    beta1: f32,
    beta2: f32,
    scale_m: f32,
    scale_v: f32,
    decay: f32,
    learning_rate: f32,
    eps: f32,
}

impl Update {
    /// Updates parameters `theta` and their moments in place from gradients `g`.
    fn apply(&self, theta: &mut [f32], first: &mut [f32], second: &mut [f32], g: &[f32]) {
        for (((t, m), v), &g) in theta.iter_mut().zip(first).zip(second).zip(g) {
            let g = g * self.grad_scale;
            *m = *m * self.beta1 + g * (1.0 - self.beta1);
            *v = *v * self.beta2 + g * g * (1.0 - self.beta2);
            let m_hat = *m * self.scale_m;
            let v_hat = *v * self.scale_v;
            *t = *t * self.decay - m_hat / (v_hat.sqrt() + self.eps) * self.learning_rate;
        }
    }
}

/// The in-place operation on one parameter (destination) with its gradient (source).
struct UpdateOp<'a> {
    update: Update,
    moments: &'a Mutex<Moments>,
}

impl InplaceOp2 for UpdateOp<'_> {
    fn name(&self) -> &'static str {
        "fused-adamw"
    }

    fn cpu_fwd(
        &self,
        theta: &mut CpuStorage,
        theta_layout: &Layout,
        grad: &CpuStorage,
        grad_layout: &Layout,
    ) -> Result<()> {
        let theta = contiguous_mut(theta, theta_layout)?;
        let grad = contiguous(grad, grad_layout)?;
        if theta.len() != grad.len() {
            candle_core::bail!(
                "fused-adamw: {} parameters, {} gradients",
                theta.len(),
                grad.len()
            );
        }
        let mut moments = self.moments.lock().expect("moments lock");
        let Moments { first, second } = &mut *moments;
        theta
            .par_chunks_mut(CHUNK)
            .zip(first.par_chunks_mut(CHUNK))
            .zip(second.par_chunks_mut(CHUNK))
            .zip(grad.par_chunks(CHUNK))
            .for_each(|(((t, m), v), g)| self.update.apply(t, m, v, g));
        Ok(())
    }
}

/// Runs `f` on a contiguous f32 CPU tensor's elements.
fn with_f32_slice<T>(tensor: &Tensor, f: impl FnOnce(&[f32]) -> T) -> Result<T> {
    let (storage, layout) = tensor.storage_and_layout();
    match &*storage {
        Storage::Cpu(cpu) => Ok(f(contiguous(cpu, layout)?)),
        _ => candle_core::bail!("fused-adamw runs on the CPU only"),
    }
}

/// Where a tensor's elements lie in its storage (it must be contiguous).
fn offsets(layout: &Layout) -> Result<(usize, usize)> {
    match layout.contiguous_offsets() {
        Some(offsets) => Ok(offsets),
        None => candle_core::bail!("fused-adamw needs contiguous tensors"),
    }
}

fn contiguous<'a>(storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [f32]> {
    let (start, end) = offsets(layout)?;
    Ok(&storage.as_slice::<f32>()?[start..end])
}

fn contiguous_mut<'a>(storage: &'a mut CpuStorage, layout: &Layout) -> Result<&'a mut [f32]> {
    let (start, end) = offsets(layout)?;
    match storage {
        CpuStorage::F32(values) => Ok(&mut values[start..end]),
        _ => candle_core::bail!("fused-adamw needs f32 parameters"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};
    use candle_nn::{AdamW, Optimizer, ParamsAdamW};

    #[test]
    fn matches_candles_adamw_after_clipping() {
        let device = Device::Cpu;
        let start: Vec<f32> = (0..40).map(|i| (i as f32 * 0.37).sin()).collect();
        let ours = Var::from_vec(start.clone(), (8, 5), &device).unwrap();
        let theirs = Var::from_vec(start, (8, 5), &device).unwrap();
        let mut fused = FusedAdamW::new(vec![ours.clone()], AdamWParams::new(1e-2, 0.01));
        let mut reference = AdamW::new(
            vec![theirs.clone()],
            ParamsAdamW {
                lr: 1e-2,
                weight_decay: 0.01,
                ..ParamsAdamW::default()
            },
        )
        .unwrap();
        for step in 0..5 {
            // A loss whose gradient norm exceeds 1 on some steps, so clipping acts.
            let weights = Tensor::arange(0f32, 40.0, &device)
                .unwrap()
                .reshape((8, 5))
                .unwrap()
                .affine(0.1 * (step + 1) as f64, -1.0)
                .unwrap();
            let loss = |v: &Var| {
                (v.as_tensor() * &weights)
                    .unwrap()
                    .sqr()
                    .unwrap()
                    .sum_all()
                    .unwrap()
            };
            let norm = fused.step(&loss(&ours).backward().unwrap(), 1.0).unwrap();
            let mut grads = loss(&theirs).backward().unwrap();
            if norm > 1.0 {
                let g = grads.remove(theirs.as_tensor()).unwrap();
                grads.insert(theirs.as_tensor(), (g * (1.0 / (norm + 1e-6))).unwrap());
            }
            reference.step(&grads).unwrap();
        }
        let values = |v: &Var| {
            v.as_tensor()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap()
        };
        for (x, y) in values(&ours).iter().zip(&values(&theirs)) {
            assert!((x - y).abs() < 1e-5, "{x} vs {y}");
        }
    }
}
