//! Scoring predictions against a labeled dataset.

pub mod challenge;
mod metrics;
mod report;

pub use metrics::{Confusion, Counts};
pub use report::{evaluate, evaluate_by_source, is_gold_source, Evaluation, LabelScores};
