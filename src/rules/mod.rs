//! Labeling functions `rules@v1`: keyword and pattern rules written from `datasets/GUIDELINES.md`
//! (guideline-v1).
//!
//! They have three jobs: they produced the `sensitive` and `exemptions` labels for CAPP-130
//! sentences in dataset v1 (CAPP has no such labels), they are the keyword baseline the trained
//! model must beat on all five labels, and a model's rule thresholds (the `decide` module)
//! consult them at inference. Each label has one file here with its function, its keyword tables
//! and its tests; every rule names the guideline section it implements, and `datasets/RULES.md`
//! lists them with the precision observed on CAPP-130.
//!
//! Matching is plain substring search over a normalised copy of the text: ASCII lower-cased,
//! full-width punctuation and digits mapped to ASCII (`，：；（）` → `,:;()`), so one pattern
//! covers both the seeds' half-width and CAPP's full-width punctuation. [`seq`] matches several
//! pieces in order with a bounded gap that never crosses a sentence end (`。;!?`).

mod collection;
mod exemptions;
mod rights;
mod sensitive;
mod sharing;

use crate::labels::{Label, LabelSet};
use collection::collection;
use exemptions::{announces_exemption_list, exemptions};
use rights::rights;
use sensitive::{lead_declares_all_sensitive, sensitive, sensitive_rule};
use sharing::sharing;

/// The version recorded as `label_source` for labels these rules produce.
pub const RULES_VERSION: &str = "rules@v1";

/// Labels for one unit from its text and its context (heading path, then the list lead, joined by
/// `\n`, as the `segment` module's `context_of` joins them). An empty set means "other".
///
/// Order of decisions: a bare heading is other (H7); a definition is other unless it sets a rule
/// for sensitive information (H5); otherwise each label's own-text rule runs, and a list item
/// inherits from its lead what the lead announces (H1–H3).
pub fn rule_labels(text: &str, context: &str) -> LabelSet {
    let t = normalise(text);
    let ctx = Context::parse(context);
    let mut set = LabelSet::EMPTY;
    // A section title that follows a list still reads as a title, not as the list's last item.
    let titled = any(&t, &["如何", "权利", "联系我们", "隐私政策", "本政策"]);
    if is_heading(&t) && (ctx.lead.is_none() || titled) {
        return set;
    }
    if is_definition(&t) {
        if sensitive_rule(&t) {
            set.insert(Label::Sensitive);
        }
        return set;
    }
    set = own_labels(&t);
    if let Some(lead) = &ctx.lead {
        let from_lead = own_labels(lead);
        for label in [Label::Collection, Label::Sharing, Label::Rights] {
            if from_lead.contains(label) {
                set.insert(label);
            }
        }
        if lead_declares_all_sensitive(lead) {
            set.insert(Label::Sensitive);
        }
    }
    // H1/H2: exemptions pass down only from a lead (or heading) that introduces a list of
    // exemption cases, never from a side-clause carve-out.
    if ctx
        .lead
        .iter()
        .chain(ctx.headings.iter())
        .any(|c| announces_exemption_list(c))
    {
        set.insert(Label::Exemptions);
    }
    set
}

/// The labels a unit earns by its own (normalised) text.
fn own_labels(t: &str) -> LabelSet {
    let mut set = LabelSet::EMPTY;
    if collection(t) {
        set.insert(Label::Collection);
    }
    if sharing(t) {
        set.insert(Label::Sharing);
    }
    if sensitive(t) {
        set.insert(Label::Sensitive);
    }
    if exemptions(t) {
        set.insert(Label::Exemptions);
    }
    if rights(t) {
        set.insert(Label::Rights);
    }
    set
}

/// A unit's context split into headings and the list lead (the last line, when it ends with a
/// colon and reads as a sentence rather than a bare noun phrase).
struct Context {
    headings: Vec<String>,
    lead: Option<String>,
}

impl Context {
    fn parse(context: &str) -> Context {
        let mut headings: Vec<String> = context
            .lines()
            .map(|l| normalise(l.trim()))
            .filter(|l| !l.is_empty())
            .collect();
        let is_lead = headings
            .last()
            .is_some_and(|l| l.ends_with(':') && (l.contains(',') || l.chars().count() > 12));
        let lead = if is_lead { headings.pop() } else { None };
        Context { headings, lead }
    }
}

/// Lower-cases ASCII and maps full-width punctuation and digits to ASCII.
pub(crate) fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '（' => '(',
            '）' => ')',
            '！' => '!',
            '？' => '?',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Whether `t` contains any of `pats`.
fn any(t: &str, pats: &[&str]) -> bool {
    pats.iter().any(|p| t.contains(p))
}

/// Whether `parts` occur in order, each starting at most `gap` chars after the previous one ends,
/// with no sentence end (`。;!?`) in between.
fn seq(t: &str, parts: &[&str], gap: usize) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return true;
    };
    t.match_indices(first).any(|(start, m)| {
        let mut end = start + m.len();
        rest.iter().all(|p| match t[end..].find(p) {
            Some(off) => {
                let between = &t[end..end + off];
                let ok = between.chars().count() <= gap && !between.contains(['。', ';', '!', '?']);
                end += off + p.len();
                ok
            }
            None => false,
        })
    })
}

/// H7: a title, section name or table-of-contents entry: short, no sentence punctuation, and not
/// a stock exemption item (those end in 的).
fn is_heading(t: &str) -> bool {
    let t = t.trim();
    // 「儿童特别说明:」: a bare noun phrase ending in a colon is a heading too (H7).
    let t = t
        .strip_suffix(':')
        .filter(|h| h.chars().count() <= 12)
        .unwrap_or(t);
    t.chars().count() <= 30
        && !t.contains([',', ';', '。', ':', '!', '?', '|'])
        && !t.ends_with('的')
        && !any(t, &["我们会", "我们将", "您可以"])
}

/// H5: a definition of a term (`X:指…`, `X是指…`, `个人信息是…`).
fn is_definition(t: &str) -> bool {
    let head: String = t.chars().take(30).collect();
    seq(&head, &[":", "指"], 1)
        || head.contains("是指")
        || head.contains("定义为")
        || any(
            &head,
            &[
                "个人信息是",
                "敏感个人信息是",
                "个人敏感信息是",
                "个人信息是以",
            ],
        )
}

/// Helpers for the per-label rule tests.
#[cfg(test)]
mod test_util {
    use super::rule_labels;
    use crate::labels::Label;

    /// The names of the labels the rules give a unit.
    pub(super) fn labels(text: &str, context: &str) -> Vec<&'static str> {
        rule_labels(text, context).iter().map(Label::name).collect()
    }

    /// Whether the rules give a unit `label`.
    pub(super) fn has(text: &str, context: &str, label: Label) -> bool {
        rule_labels(text, context).contains(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_maps_full_width_punctuation_and_case() {
        assert_eq!(normalise("Cookie，GPS：（１４）"), "cookie,gps:(14)");
        assert!(seq("根据法律,法规另有规定的除外", &["法规", "除外"], 30));
        assert!(
            !seq("法律规定。其他除外", &["法律", "除外"], 30),
            "gap crosses a sentence end"
        );
    }

    #[test]
    fn version_is_recorded() {
        assert_eq!(RULES_VERSION, "rules@v1");
    }
}
