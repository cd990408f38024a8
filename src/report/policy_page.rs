//! One policy's page: label counts, filters, the section navigation, the disclosure checklist
//! and the policy text with every unit marked by its labels.

use super::assets::FILTER_JS;
use super::checklist::{ChecklistItem, ItemResult, Status, ITEMS};
use super::html::{chinese_name, escape, page, push_escaped, tag_html, tag_text, DISCLAIMER};
use super::policy::{LabelCounts, Policy};
use super::sections::{section_tree, SectionNode};
use crate::labels::Label;
use crate::output::LabeledUnit;
use crate::segment::UnitKind;
use std::fmt::Write;

/// Supporting clauses linked per checklist item; the rest are counted.
const EVIDENCE_LINKS: usize = 6;
/// Chars of a unit shown in a checklist link.
const EXCERPT_CHARS: usize = 24;

/// The whole page of `policy`, whose checklist results are `checklist` (in
/// [`super::checklist::ITEMS`] order).
pub fn render_policy_page(
    policy: &Policy,
    counts: &LabelCounts,
    checklist: &[ItemResult],
) -> String {
    let mut body = String::with_capacity(policy.units.iter().map(|u| u.text.len() + 300).sum());
    header(&mut body, policy, counts);
    body.push_str("<div class=\"layout\">\n");
    navigation(&mut body, &section_tree(&policy.units));
    body.push_str("<main>\n");
    checklist_section(&mut body, &policy.units, checklist);
    policy_text(&mut body, &policy.units);
    body.push_str("</main>\n</div>\n");
    page(
        &format!("{} — privclause report", policy.name()),
        &body,
        FILTER_JS,
    )
}

/// The title, the disclaimer, and the label filters with the count of units of each label.
fn header(out: &mut String, policy: &Policy, counts: &LabelCounts) {
    let model = policy.units.first().map(|u| u.model.as_str()).unwrap_or("");
    let _ = writeln!(
        out,
        "<header class=\"top\">\n<p class=\"doc\"><a href=\"../index.html\">← 全部政策 All \
         policies</a> · {} · model {}</p>\n<h1>{}</h1>\n<p class=\"disclaimer\">{}</p>",
        escape(&policy.doc),
        escape(model),
        escape(policy.name()),
        escape(DISCLAIMER)
    );
    let _ = write!(
        out,
        "<fieldset class=\"filters\"><legend><strong>{}</strong> units 单元 · 显示标签 Show \
         units labeled</legend>",
        counts.total
    );
    let filter = |out: &mut String, name: &str, tag: &str, count: usize| {
        let _ = write!(
            out,
            "<label data-count=\"{count}\"><input type=\"checkbox\" data-filter=\"{name}\" \
             checked> {tag} {count}</label>"
        );
    };
    for label in Label::ALL {
        filter(out, label.name(), &tag_html(label), counts.get(label));
    }
    filter(out, "other", "other 其他", counts.other);
    out.push_str("</fieldset>\n</header>\n");
}

fn navigation(out: &mut String, tree: &[SectionNode]) {
    out.push_str("<nav class=\"toc\" aria-label=\"sections\">\n<ul>\n");
    out.push_str("<li><a href=\"#checklist\">披露清单 Disclosure checklist</a></li>\n");
    out.push_str("<li><a href=\"#text\">政策全文 Policy text</a>");
    section_list(out, tree);
    out.push_str("</li>\n</ul>\n</nav>\n");
}

fn section_list(out: &mut String, nodes: &[SectionNode]) {
    if nodes.is_empty() {
        return;
    }
    out.push_str("<ul>");
    for node in nodes {
        let _ = write!(out, "<li><a href=\"#u{}\">", node.anchor);
        push_escaped(out, &node.title);
        out.push_str("</a>");
        section_list(out, &node.children);
        out.push_str("</li>");
    }
    out.push_str("</ul>\n");
}

/// What the rule of `item` says, in words (shown under each item).
fn rule_text(item: &ChecklistItem) -> String {
    let labels: Vec<String> = item.labels.iter().map(|&l| tag_text(l)).collect();
    let labels = labels.join(" / ");
    format!(
        "present: a unit labeled {labels} whose text contains one of {}; unclear: units labeled \
         {labels}, none with these words; missing: no unit labeled {labels}.",
        item.keywords.join("、")
    )
}

fn checklist_section(out: &mut String, units: &[LabeledUnit], checklist: &[ItemResult]) {
    let count = |status| checklist.iter().filter(|r| r.status == status).count();
    let _ = writeln!(
        out,
        "<section id=\"checklist\">\n<h2>披露清单 Disclosure checklist: {} / {} present, {} unclear, \
         {} missing</h2>\n<ul class=\"checks\">",
        count(Status::Present),
        ITEMS.len(),
        count(Status::Unclear),
        count(Status::Missing),
    );
    for (item, result) in ITEMS.iter().zip(checklist) {
        let _ = write!(
            out,
            "<li class=\"s-{}\"><a href=\"#check-{}\" title=\"{} · {}\">{} {}</a></li>",
            result.status.name(),
            item.id,
            escape(item.title_en),
            escape(item.article),
            result.status.symbol(),
            escape(item.title_zh),
        );
    }
    let _ = writeln!(
        out,
        "</ul>\n<details class=\"checklist\"><summary>规则、依据与相关条款 Rules, PIPL articles and \
         supporting clauses</summary>\n<p class=\"disclaimer\">{}</p>",
        escape(DISCLAIMER)
    );
    out.push_str(
        "<table><thead><tr><th>状态 Status</th><th>事项 Item</th>\
         <th>依据 Source</th><th>相关条款 Supporting clauses</th></tr></thead><tbody>\n",
    );
    for (item, result) in ITEMS.iter().zip(checklist) {
        let status = result.status.name();
        let _ = write!(
            out,
            "<tr id=\"check-{id}\" data-item=\"{id}\" data-status=\"{status}\">\
             <td class=\"status s-{status}\">{} {status}</td>\
             <td class=\"item\">{}<br>{}<details class=\"rule\"><summary>rule 规则</summary>{}</details></td>\
             <td>{}</td><td class=\"evidence\">",
            result.status.symbol(),
            escape(item.title_zh),
            escape(item.title_en),
            escape(&rule_text(item)),
            escape(item.article),
            id = item.id,
        );
        for &index in result.evidence.iter().take(EVIDENCE_LINKS) {
            evidence_link(out, units, index);
        }
        if result.evidence.len() > EVIDENCE_LINKS {
            let _ = write!(
                out,
                "<span>+{} more</span>",
                result.evidence.len() - EVIDENCE_LINKS
            );
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n</details>\n</section>\n");
}

fn evidence_link(out: &mut String, units: &[LabeledUnit], index: usize) {
    let text = units
        .binary_search_by_key(&index, |u| u.index)
        .map(|at| units[at].text.as_str())
        .unwrap_or("");
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        excerpt.push('…');
    }
    let _ = write!(
        out,
        "<a href=\"#u{index}\" data-evidence=\"{index}\">#{index} "
    );
    push_escaped(out, &excerpt);
    out.push_str("</a>");
}

/// Whether `unit` continues the paragraph of `previous`: two sentences with no gap between.
fn continues_paragraph(previous: &LabeledUnit, unit: &LabeledUnit) -> bool {
    let sentence = |u: &LabeledUnit| u.kind.is_none_or(|k| k == UnitKind::Sentence);
    sentence(previous)
        && sentence(unit)
        && matches!((previous.end, unit.start), (Some(end), Some(start)) if end == start)
}

fn policy_text(out: &mut String, units: &[LabeledUnit]) {
    out.push_str(
        "<section id=\"text\">\n<h2>政策全文 Policy text</h2>\n<article class=\"policy\">\n",
    );
    let mut open_paragraph = false;
    let mut previous: Option<&LabeledUnit> = None;
    for unit in units {
        if unit.kind == Some(UnitKind::Heading) {
            if open_paragraph {
                out.push_str("</p>\n");
                open_paragraph = false;
            }
            let level = (unit.section.len() + 3).min(6);
            let _ = write!(out, "<h{level} ");
            unit_element(out, unit, "u hd");
            let _ = writeln!(out, "</h{level}>");
        } else {
            if !previous.is_some_and(|p| open_paragraph && continues_paragraph(p, unit)) {
                if open_paragraph {
                    out.push_str("</p>\n");
                }
                let kind = unit.kind.map(kind_class).unwrap_or("sentence");
                let _ = write!(out, "<p class=\"par k-{kind}\">");
                open_paragraph = true;
            }
            out.push_str("<span ");
            unit_element(out, unit, "u");
            out.push_str("</span>");
        }
        previous = Some(unit);
    }
    if open_paragraph {
        out.push_str("</p>\n");
    }
    out.push_str("</article>\n</section>\n");
}

fn kind_class(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Heading => "heading",
        UnitKind::Sentence => "sentence",
        UnitKind::ListItem => "list_item",
        UnitKind::TableRow => "table_row",
    }
}

/// A unit's attributes (after the opening `<tag `), its text and its label tags; the caller
/// closes the element. Its scores are in `title` (hover), shown on focus too.
fn unit_element(out: &mut String, unit: &LabeledUnit, class: &str) {
    let _ = write!(out, "class=\"{class}");
    if unit.labels.is_empty() {
        out.push_str(" l-other");
    }
    for label in unit.labels.iter() {
        let _ = write!(out, " l-{}", label.name());
    }
    let _ = write!(
        out,
        "\" id=\"u{index}\" data-unit=\"{index}\" tabindex=\"0\" title=\"",
        index = unit.index
    );
    for (i, label) in Label::ALL.into_iter().enumerate() {
        let separator = if i == 0 { "" } else { " · " };
        let _ = write!(
            out,
            "{separator}{} {} {:.4}",
            chinese_name(label),
            label.name(),
            unit.scores.get(label)
        );
    }
    out.push_str("\">");
    push_escaped(out, &unit.text);
    for label in unit.labels.iter() {
        out.push_str(&tag_html(label));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::labeled_unit;
    use crate::labels::Scores;

    fn unit(index: usize, kind: UnitKind, start: usize, end: usize, text: &str) -> LabeledUnit {
        LabeledUnit {
            start: Some(start),
            end: Some(end),
            kind: Some(kind),
            scores: Scores::rounded([0.5; 5]),
            ..labeled_unit("dir/a.txt", index, text, &[])
        }
    }

    #[test]
    fn contiguous_sentences_share_a_paragraph_and_list_items_do_not() {
        use UnitKind::*;
        let units = [
            unit(0, Heading, 0, 4, "隐私政策"),
            unit(1, Sentence, 5, 8, "第一句"),
            unit(2, Sentence, 8, 11, "第二句"),
            unit(3, Sentence, 12, 15, "新段落"),
            unit(4, ListItem, 15, 18, "1、项"),
        ];
        let mut html = String::new();
        policy_text(&mut html, &units);
        assert_eq!(html.matches("<p class=\"par").count(), 3, "{html}");
        assert_eq!(html.matches("data-unit=\"").count(), 5);
        assert!(
            html.contains("<h3 class=\"u hd l-other\" id=\"u0\""),
            "{html}"
        );
        assert!(html.contains("第一句</span><span"), "{html}");
    }
}
