//! The labeled dataset: labeling functions (and, later, building and splitting the records).
//!
//! Label definitions live in `datasets/GUIDELINES.md`; the rules are documented in `datasets/RULES.md`.

pub mod rules;
