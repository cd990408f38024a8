//! Binary cross-entropy on logits, weighted per label and masked where a label is unknown.

use candle_core::{Result, Tensor};

/// `softplus(x) = log(1 + e^x)`, computed without overflow: `max(x, 0) + log(1 + e^-|x|)`.
fn softplus(xs: &Tensor) -> Result<Tensor> {
    xs.relu()? + (xs.abs()?.neg()?.exp()? + 1.0)?.log()?
}

/// Mean over known entries of `w·y·softplus(-x) + (1-y)·softplus(x)`.
///
/// `logits`, `targets`, `known`: `[batch, labels]` (targets and known are 0/1);
/// `pos_weight`: `[labels]`, the weight of positive examples per label.
pub fn masked_bce(
    logits: &Tensor,
    targets: &Tensor,
    known: &Tensor,
    pos_weight: &Tensor,
) -> Result<Tensor> {
    let positive = targets
        .broadcast_mul(pos_weight)?
        .mul(&softplus(&logits.neg()?)?)?;
    let negative = ((1.0 - targets)? * softplus(logits)?)?;
    let per_entry = ((positive + negative)? * known)?;
    let count = known.sum_all()?.maximum(1.0)?;
    per_entry.sum_all()?.div(&count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn matches_the_formula_and_ignores_unknown_entries() {
        let d = Device::Cpu;
        let logits = Tensor::new(&[[2.0f32, -1.0], [0.5, 30.0]], &d).unwrap();
        let targets = Tensor::new(&[[1.0f32, 0.0], [0.0, 1.0]], &d).unwrap();
        let known = Tensor::new(&[[1.0f32, 1.0], [1.0, 0.0]], &d).unwrap();
        let weights = Tensor::new(&[3.0f32, 1.0], &d).unwrap();
        let loss = masked_bce(&logits, &targets, &known, &weights)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let sp = |x: f32| (1.0 + x.exp()).ln();
        let expected = (3.0 * sp(-2.0) + sp(-1.0) + sp(0.5)) / 3.0;
        assert!((loss - expected).abs() < 1e-5, "{loss} vs {expected}");
        // Large logits stay finite.
        let big = Tensor::new(&[[100.0f32, -100.0]], &d).unwrap();
        let t = Tensor::new(&[[0.0f32, 1.0]], &d).unwrap();
        let k = Tensor::new(&[[1.0f32, 1.0]], &d).unwrap();
        let loss = masked_bce(&big, &t, &k, &weights)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!((loss - 100.0).abs() < 1e-3, "{loss}");
    }
}
