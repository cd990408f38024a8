//! The labeled dataset: records, labeling functions, hand labels, and how the dataset is built.
//!
//! Label definitions live in `datasets/GUIDELINES.md`; the rules are documented in `datasets/RULES.md`.

pub mod agreement;
mod build;
mod hand;
mod record;

pub use build::{
    build_dataset, BuildError, BuildReport, CAPP_SOURCE, DATA_VERSION, GUIDELINE_VERSION,
    HAND_SOURCE_PREFIX,
};
pub use hand::{HandLabel, HandLabels, HandOrigin, PassPair};
pub use record::{parse_jsonl, read_jsonl, read_records, DatasetError, DatasetRecord, Split};
