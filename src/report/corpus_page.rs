//! The corpus page (`index.html`): one sortable row per policy, and two charts: labels across
//! the corpus and the checklist items most often missing.

use super::assets::SORT_JS;
use super::checklist::{Status, ITEMS};
use super::html::{escape, label_color, page, tag_html, tag_text, DISCLAIMER, OTHER_COLOR};
use super::policy::LabelCounts;
use super::svg::{bar_chart, Bar, Part};
use crate::labels::Label;
use std::fmt::Write;

/// What the corpus page shows of one policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyRow {
    pub doc: String,
    pub name: String,
    /// The page's file name under `policies/`.
    pub page: String,
    pub counts: LabelCounts,
    /// Checklist statuses, in [`ITEMS`] order.
    pub statuses: Vec<Status>,
}

impl PolicyRow {
    fn count(&self, status: Status) -> usize {
        self.statuses.iter().filter(|&&s| s == status).count()
    }
}

/// Colors of the "missing" and "unclear" bar segments.
const MISSING_COLOR: &str = "#cf222e";
const UNCLEAR_COLOR: &str = "#d4a72c";

/// The corpus page of `rows`; `failures` lists the inputs that could not be read.
pub fn render_corpus_page(rows: &[PolicyRow], failures: &[String]) -> String {
    let mut totals = LabelCounts::default();
    for row in rows {
        totals.merge(&row.counts);
    }
    let mut body = String::new();
    body.push_str("<header class=\"top\">\n<h1>隐私政策标注报告 Privacy policy report</h1>\n");
    let _ = writeln!(
        body,
        "<p>{} policies 政策 · {} units 单元</p>\n<p class=\"disclaimer\">{}</p>\n</header>\n<main>",
        rows.len(),
        totals.total,
        escape(DISCLAIMER)
    );
    failures_section(&mut body, failures);
    charts(&mut body, rows, &totals);
    policy_table(&mut body, rows);
    body.push_str("</main>\n");
    page("privclause report", &body, SORT_JS)
}

fn failures_section(out: &mut String, failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section class=\"failures\"><h2>未能读取的输入 Inputs not read ({})</h2><ul>",
        failures.len()
    );
    for failure in failures {
        let _ = write!(out, "<li>{}</li>", escape(failure));
    }
    out.push_str("</ul></section>\n");
}

fn charts(out: &mut String, rows: &[PolicyRow], totals: &LabelCounts) {
    let mut labels: Vec<Bar> = Label::ALL
        .iter()
        .map(|&label| Bar::single(tag_text(label), totals.get(label), label_color(label)))
        .collect();
    labels.push(Bar::single("other 其他".into(), totals.other, OTHER_COLOR));
    let policies_with = |item: usize, status: Status| {
        rows.iter()
            .filter(|r| r.statuses.get(item) == Some(&status))
            .count()
    };
    let mut not_present: Vec<(usize, usize, Bar)> = ITEMS
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let (missing, unclear) = (
                policies_with(i, Status::Missing),
                policies_with(i, Status::Unclear),
            );
            let part = |status: Status, value, color| Part {
                name: status.name().into(),
                value,
                color,
            };
            let bar = Bar {
                name: item.title_zh.to_string(),
                parts: vec![
                    part(Status::Missing, missing, MISSING_COLOR),
                    part(Status::Unclear, unclear, UNCLEAR_COLOR),
                ],
            };
            (missing, unclear, bar)
        })
        .collect();
    not_present.sort_by_key(|(missing, unclear, _)| std::cmp::Reverse((*missing, *unclear)));
    let not_present: Vec<Bar> = not_present.into_iter().map(|(_, _, bar)| bar).collect();
    out.push_str("<section class=\"charts\">\n");
    let _ = writeln!(
        out,
        "<figure><figcaption><h2>标签分布 Units per label</h2></figcaption>{}</figure>",
        bar_chart("Units per label across the corpus", &labels)
    );
    let _ = writeln!(
        out,
        "<figure><figcaption><h2>最常缺失的披露事项 Checklist items most often missing</h2>\
         <p>Policies where the item is <span class=\"s-missing\">missing</span> or only \
         <span class=\"s-unclear\">unclear</span>.</p></figcaption>{}</figure>",
        bar_chart(
            "Policies missing each checklist item, or unclear about it",
            &not_present
        )
    );
    out.push_str("</section>\n");
}

fn numeric_cell(out: &mut String, value: usize) {
    let _ = write!(out, "<td class=\"num\" data-v=\"{value}\">{value}</td>");
}

fn policy_table(out: &mut String, rows: &[PolicyRow]) {
    out.push_str(
        "<section>\n<h2>政策 Policies</h2>\n<p>点击表头排序 Click a column header to sort.</p>\n\
         <table id=\"policies\"><thead><tr><th><button type=\"button\">政策 Policy</button></th>\
         <th class=\"num\"><button type=\"button\">units</button></th>",
    );
    for label in Label::ALL {
        let _ = write!(
            out,
            "<th class=\"num\"><button type=\"button\">{}</button></th>",
            tag_html(label)
        );
    }
    let _ = writeln!(
        out,
        "<th class=\"num\"><button type=\"button\">other</button></th>\
         <th class=\"num\"><button type=\"button\">checklist present / {}</button></th>\
         <th class=\"num\"><button type=\"button\">missing</button></th></tr></thead><tbody>",
        ITEMS.len()
    );
    for row in rows {
        let _ = write!(
            out,
            "<tr data-doc=\"{}\"><td data-v=\"{}\"><a href=\"policies/{}\">{}</a></td>",
            escape(&row.doc),
            escape(&row.name),
            escape(&row.page),
            escape(&row.name)
        );
        numeric_cell(out, row.counts.total);
        for label in Label::ALL {
            numeric_cell(out, row.counts.get(label));
        }
        numeric_cell(out, row.counts.other);
        let present = row.count(Status::Present);
        let _ = write!(
            out,
            "<td class=\"num\" data-v=\"{present}\">{present} / {}</td>",
            ITEMS.len()
        );
        numeric_cell(out, row.count(Status::Missing));
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, missing: usize) -> PolicyRow {
        let mut statuses = vec![Status::Present; ITEMS.len()];
        for status in statuses.iter_mut().take(missing) {
            *status = Status::Missing;
        }
        PolicyRow {
            doc: format!("dir/{name}"),
            name: name.into(),
            page: format!("001-{name}.html"),
            counts: LabelCounts {
                per_label: [3, 1, 0, 0, 2],
                other: 4,
                total: 9,
            },
            statuses,
        }
    }

    #[test]
    fn one_row_per_policy_with_its_counts_and_score() {
        let html = render_corpus_page(&[row("a<b>.txt", 2), row("c.txt", 0)], &[]);
        assert_eq!(html.matches("<tr data-doc=").count(), 2);
        assert!(html.contains("a&lt;b&gt;.txt") && !html.contains("a<b>"));
        let present = ITEMS.len() - 2;
        assert!(html.contains(&format!("data-v=\"{present}\">{present} / {}", ITEMS.len())));
        assert!(html.contains("2 policies 政策 · 18 units"), "corpus totals");
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(!html.contains("Inputs not read"));
    }

    #[test]
    fn failures_are_listed() {
        let html = render_corpus_page(&[], &["bad.jsonl: line 2: oops".into()]);
        assert!(html.contains("Inputs not read (1)") && html.contains("bad.jsonl: line 2"));
    }
}
