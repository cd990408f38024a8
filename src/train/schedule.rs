//! Learning-rate schedule: linear warm-up, then linear decay to zero.

/// Learning rate at `step` (from 0) of `total` steps, peaking at `peak` after `warmup` steps.
pub fn learning_rate(step: usize, total: usize, warmup: usize, peak: f64) -> f64 {
    if step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    let remaining = total.saturating_sub(step) as f64;
    let decay_steps = total.saturating_sub(warmup).max(1) as f64;
    peak * (remaining / decay_steps).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warms_up_then_decays_to_zero() {
        assert!((learning_rate(0, 100, 10, 1.0) - 0.1).abs() < 1e-12);
        assert!((learning_rate(9, 100, 10, 1.0) - 1.0).abs() < 1e-12);
        assert!((learning_rate(10, 100, 10, 1.0) - 1.0).abs() < 1e-12);
        assert!((learning_rate(55, 100, 10, 1.0) - 0.5).abs() < 1e-12);
        assert_eq!(learning_rate(100, 100, 10, 1.0), 0.0);
    }
}
