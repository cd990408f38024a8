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

/// Fewest units one parallel task scores: consecutive small batches share a task, whose units
/// the engine packs into passes of up to 256 token rows (its `MAX_PASS_ROWS`; packing pads
/// nothing, so a unit's score does not depend on its companions).
pub const TASK_UNITS: usize = 16;

/// Plans batches for units of these token `lengths`, groups consecutive batches into tasks of
/// at least [`TASK_UNITS`] units, runs `score_task` on each task in parallel on the current
/// rayon pool (given the task's unit indices, batch after batch, it returns their scores in
/// that order), and returns the scores in the units' order.
pub fn score_in_batches(
    lengths: &[usize],
    policy: BatchPolicy,
    score_task: impl Fn(&[usize]) -> Vec<[f32; 5]> + Sync,
) -> Vec<[f32; 5]> {
    let batches = plan_batches(lengths, policy);
    let tasks: Vec<Vec<usize>> = group_batches(&batches, TASK_UNITS)
        .into_iter()
        .map(<[Vec<usize>]>::concat)
        .collect();
    let scored: Vec<Vec<[f32; 5]>> = tasks.par_iter().map(|t| score_task(t)).collect();
    let mut scores = vec![[0f32; 5]; lengths.len()];
    for (task, task_scores) in tasks.iter().zip(scored) {
        for (&i, s) in task.iter().zip(task_scores) {
            scores[i] = s;
        }
    }
    scores
}

/// Consecutive batches gathered into groups of at least `units` units (the last may hold fewer).
fn group_batches(batches: &[Vec<usize>], units: usize) -> Vec<&[Vec<usize>]> {
    let mut groups = Vec::new();
    let (mut start, mut count) = (0, 0);
    for (i, batch) in batches.iter().enumerate() {
        count += batch.len();
        if count >= units {
            groups.push(&batches[start..=i]);
            (start, count) = (i + 1, 0);
        }
    }
    if start < batches.len() {
        groups.push(&batches[start..]);
    }
    groups
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

    #[test]
    fn tasks_gather_small_batches_and_keep_their_order() {
        let batches: Vec<Vec<usize>> = vec![vec![0], vec![1, 2], vec![3], vec![4, 5, 6], vec![7]];
        let groups = group_batches(&batches, 3);
        assert_eq!(groups, vec![&batches[0..2], &batches[2..4], &batches[4..]]);
        assert!(group_batches(&[], 3).is_empty());
    }

    #[test]
    fn scores_come_back_in_unit_order_whatever_the_grouping() {
        let lengths: Vec<usize> = (0..50).map(|i| (i * 7) % 13 + 1).collect();
        for batch_size in [1, 3, 32] {
            let policy = BatchPolicy {
                batch_size,
                sort_window: 8,
            };
            let scores = score_in_batches(&lengths, policy, |task| {
                task.iter()
                    .map(|&i| [i as f32, lengths[i] as f32, 0.0, 0.0, 0.0])
                    .collect()
            });
            for (i, s) in scores.iter().enumerate() {
                assert_eq!(s[..2], [i as f32, lengths[i] as f32]);
            }
        }
    }
}
