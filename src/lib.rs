//! privclause: label the clauses of Chinese privacy policies with a local BERT classifier.
//!
//! The pipeline, one module per stage (see `ARCHITECTURE.md` for who may import whom):
//! [`input`] (bytes → text) → [`segment`] (text → clause units) → [`model`] (a model
//! directory: units → token ids → scores, computed by the [`engine`]) → [`decide`] (scores →
//! labels, with the keyword [`rules`]) → [`label`] (batched, parallel corpus runs) →
//! [`output`] → [`report`] (a static HTML site of labeled policies). Beside it: [`dataset`],
//! [`corpus`], [`eval`] and [`train`].

pub mod atomic;
pub mod batch;
pub mod corpus;
pub mod dataset;
pub mod decide;
pub mod engine;
pub mod eval;
#[cfg(any(test, feature = "test-util"))]
pub mod fixtures;
pub mod input;
pub mod label;
pub mod labels;
pub mod model;
pub mod output;
pub mod report;
pub mod rules;
pub mod segment;
pub mod train;

/// An error and its causes on one line, `outer: inner: ...`, leaving out a cause whose text the
/// line already holds (error types here print their source in their own message).
pub fn describe_error(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = String::new();
    let mut cause = Some(err);
    while let Some(err) = cause {
        let text = err.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
        cause = err.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::describe_error as describe;

    #[derive(Debug, thiserror::Error)]
    #[error("{0}")]
    struct Outer(String, #[source] std::io::Error);

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let err = Outer(
            "out.jsonl: disk full".into(),
            std::io::Error::other("disk full"),
        );
        assert_eq!(describe(&err), "out.jsonl: disk full");
        let err = Outer("writing".into(), std::io::Error::other("disk full"));
        assert_eq!(describe(&err), "writing: disk full");
    }
}
