//! privclause: label the clauses of Chinese privacy policies with a local BERT classifier.
//!
//! The pipeline, one module per stage:
//! [`input`] (bytes → text) → [`segment`] (text → clause units) → [`model`]
//! (units → label scores) → [`label`] (batched, parallel corpus runs) → [`output`].

pub mod corpus;
pub mod dataset;
pub mod eval;
pub mod input;
pub mod label;
pub mod labels;
pub mod model;
pub mod output;
pub mod segment;
pub mod train;
