//! Length-bucketed batching: group units of similar token length (so a batch's units cost
//! alike), score the batches in parallel, and return scores in the units' original order.

use rayon::prelude::*;

/// How units are grouped into batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPolicy {
    /// Most units in one forward pass.
    pub batch_size: usize,
    /// Units are sorted by length within consecutive windows of this many units
    /// (1 disables sorting).
    pub sort_window: usize,
}

impl Default for BatchPolicy {
    fn default() -> Self {
        Self {
            batch_size: 8,
            sort_window: 512,
        }
    }
}

/// Index lists, one per batch: within each window (`sort_window` rounded up to whole batches),
/// units sorted by length (stable), then cut into batches of at most `batch_size`; with a
/// window of 1, units stay in input order.
pub fn plan_batches(lengths: &[usize], policy: BatchPolicy) -> Vec<Vec<usize>> {
    let batch_size = policy.batch_size.max(1);
    let sort = policy.sort_window > 1;
    // Windows hold whole batches, so a batch never straddles two windows.
    let window = if sort {
        policy
            .sort_window
            .div_ceil(batch_size)
            .saturating_mul(batch_size)
    } else {
        lengths.len().max(1)
    };
    let mut batches = Vec::with_capacity(lengths.len().div_ceil(batch_size));
    for start in (0..lengths.len()).step_by(window) {
        let end = (start + window).min(lengths.len());
        let mut order: Vec<usize> = (start..end).collect();
        if sort {
            order.sort_by_key(|&i| lengths[i]);
        }
        batches.extend(order.chunks(batch_size).map(<[usize]>::to_vec));
    }
    batches
}

/// Plans batches for units of these token `lengths`, runs `score_batch` on each (given the
/// batch's unit indices, it returns their scores in that order) in parallel on the current
/// rayon pool, and returns the scores in the units' order.
pub fn score_in_batches(
    lengths: &[usize],
    policy: BatchPolicy,
    score_batch: impl Fn(&[usize]) -> Vec<[f32; 5]> + Sync,
) -> Vec<[f32; 5]> {
    let batches = plan_batches(lengths, policy);
    let scored: Vec<Vec<[f32; 5]>> = batches.par_iter().map(|b| score_batch(b)).collect();
    let mut scores = vec![[0f32; 5]; lengths.len()];
    for (batch, batch_scores) in batches.iter().zip(scored) {
        for (&i, s) in batch.iter().zip(batch_scores) {
            scores[i] = s;
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unbounded_sort_window_sorts_everything() {
        // usize::MAX rounded up to whole batches must not overflow (training's dev pass).
        let lengths = [5, 3, 9, 1];
        let batches = plan_batches(
            &lengths,
            BatchPolicy {
                batch_size: 32,
                sort_window: usize::MAX,
            },
        );
        assert_eq!(batches, vec![vec![3, 1, 0, 2]]);
    }

    #[test]
    fn batches_cover_every_unit_once_sorted_within_windows() {
        let lengths = [5, 3, 9, 1, 7, 2, 8];
        let batches = plan_batches(
            &lengths,
            BatchPolicy {
                batch_size: 2,
                sort_window: 4,
            },
        );
        assert_eq!(batches, vec![vec![3, 1], vec![0, 2], vec![5, 4], vec![6]]);
        let unsorted = plan_batches(
            &lengths,
            BatchPolicy {
                batch_size: 3,
                sort_window: 1,
            },
        );
        assert_eq!(unsorted, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]);
        assert!(plan_batches(&[], BatchPolicy::default()).is_empty());
    }
}
