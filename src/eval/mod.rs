//! Scoring predictions against a labeled dataset.

pub mod challenge;
mod metrics;
mod report;

pub use metrics::{expected_calibration_error, Confusion, Counts};
pub use report::{
    calibration_errors, evaluate, evaluate_by_source, is_gold_source, Evaluation, LabelScores,
};
