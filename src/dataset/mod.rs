//! The labeled dataset: records, labeling functions, and how the dataset is built.
//!
//! Label definitions live in `datasets/GUIDELINES.md`; the rules are documented in `datasets/RULES.md`.

mod record;
pub mod rules;

pub use record::{read_records, DatasetError, DatasetRecord, Split};
