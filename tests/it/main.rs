//! The integration tests, one binary (as ripgrep does): one link of candle, arrow and parquet
//! instead of one per test file.

mod architecture;
mod cli_label;
mod common;
mod hostile_input;
mod model_runtime;
mod report;
mod segment_cli;
mod segment_corpus;
mod segment_encodings;
mod segment_invariants;
mod segment_proptest;
mod shipped_model;
mod train_tiny;
