//! Scalar math the kernels inline: a fast `exp` for non-positive inputs, `erf`, GELU and its
//! derivative, and vectorisable lane-wise sums and maxima.

/// `exp(x)` for `x ≤ 0` to about 2 ulp, branch-free so that it vectorises; inputs below
/// −87 give `exp(−87)` (never a denormal, never libm's slow path), positive ones give 1.
#[inline(always)]
pub(super) fn exp_nonpositive(x: f32) -> f32 {
    // `max` maps NaN to −87: `n` below is always finite and within −126..=0.
    #[allow(clippy::manual_clamp)]
    let x = x.max(-87.0).min(0.0);
    // x = n·ln2 + r, |r| ≤ ln2/2.
    let n = (x * std::f32::consts::LOG2_E + 12_582_912.0) - 12_582_912.0;
    let r = n.mul_add(-0.693_145_75, x);
    let r = n.mul_add(-1.428_606_8e-6, r);
    // exp(r) by its degree-6 Taylor polynomial (error < 2e-7 on |r| ≤ 0.347).
    let mut p = 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // SAFETY: `n` is a finite whole number in −126..=0 (see above).
    let n = unsafe { n.to_int_unchecked::<i32>() };
    let scale = f32::from_bits(((n + 127) << 23) as u32);
    p * scale
}

/// `erf(x)` to within 5e-7 in f32 (Abramowitz & Stegun 7.1.26: 1.5e-7, plus rounding).
#[inline(always)]
pub(super) fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / 0.327_591_1f32.mul_add(a, 1.0);
    let mut p = 1.061_405_4f32;
    p = p.mul_add(t, -1.453_152_1);
    p = p.mul_add(t, 1.421_413_7);
    p = p.mul_add(t, -0.284_496_72);
    p = p.mul_add(t, 0.254_829_6);
    let y = 1.0 - p * t * exp_nonpositive(-a * a);
    y.copysign(x)
}

/// The exact (erf) GELU.
#[inline(always)]
pub(super) fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// `gelu′(x) = Φ(x) + x·φ(x)`, the standard normal CDF and density.
#[inline(always)]
pub(super) fn gelu_derivative(x: f32) -> f32 {
    const INV_SQRT_2PI: f32 = 0.398_942_3;
    let cdf = 0.5 * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2));
    cdf + x * INV_SQRT_2PI * exp_nonpositive(-0.5 * x * x)
}

/// Sum with eight independent partial sums, so that it vectorises (a plain float sum is a
/// serial chain LLVM must not reorder).
#[inline(always)]
pub(super) fn lanes_sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        for l in 0..8 {
            acc[l] += c[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// Maximum with eight independent partial maxima (vectorises, see [`lanes_sum`]).
#[inline(always)]
pub(super) fn lanes_max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; 8];
    let chunks = x.chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, v| m.max(*v));
    for c in chunks {
        for l in 0..8 {
            acc[l] = acc[l].max(c[l]);
        }
    }
    acc.iter().fold(tail, |m, v| m.max(*v))
}

/// Mean of `row` and `1 / sqrt(variance + eps)`.
#[inline(always)]
pub(super) fn mean_and_inverse_deviation(row: &[f32], eps: f32) -> (f32, f32) {
    let n = row.len() as f32;
    let mean = lanes_sum(row) / n;
    let mut acc = [0f32; 8];
    let chunks = row.chunks_exact(8);
    let tail: f32 = chunks
        .remainder()
        .iter()
        .map(|v| (v - mean) * (v - mean))
        .sum();
    for c in chunks {
        for l in 0..8 {
            acc[l] += (c[l] - mean) * (c[l] - mean);
        }
    }
    let var = (acc.iter().sum::<f32>() + tail) / n;
    (mean, 1.0 / (var + eps).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erf_reference(x: f64) -> f64 {
        // A&S 7.1.28-free check: integrate exp(-t²) numerically (Simpson, fine grid).
        let n = 20_000;
        let h = x / n as f64;
        let f = |t: f64| (-t * t).exp();
        let mut s = f(0.0) + f(x);
        for i in 1..n {
            s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn exp_matches_std_over_its_range() {
        for i in 0..=2000 {
            let x = -90.0 + i as f32 * 0.045;
            let (got, want) = (exp_nonpositive(x), x.exp());
            assert!(
                (got - want).abs() <= want * 1e-6 + 1e-37,
                "exp({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn erf_is_within_5e7_of_the_integral() {
        for i in -40..=40 {
            let x = i as f64 * 0.1;
            let got = erf(x as f32) as f64;
            assert!((got - erf_reference(x)).abs() < 5e-7, "erf({x}) = {got}");
        }
    }
}
