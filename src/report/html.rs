//! HTML building blocks shared by the pages: escaping, how a label looks, the page shell.

use super::assets::{ERROR_CATCHER_JS, STYLE_CSS};
use crate::labels::Label;
use std::fmt::Write;

/// Appends `text` to `out` with `& < > " '` escaped, safe in element content and in
/// double-quoted attribute values.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `text`, escaped (see [`push_escaped`]).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// The Chinese name of a label, as shown beside its English name.
pub fn chinese_name(label: Label) -> &'static str {
    match label {
        Label::Collection => "收集",
        Label::Sharing => "共享",
        Label::Sensitive => "敏感",
        Label::Exemptions => "例外",
        Label::Rights => "权利",
    }
}

/// The text tag of a label, e.g. `[收集 collection]`: labels never rely on color alone.
pub fn tag_text(label: Label) -> String {
    format!("[{} {}]", chinese_name(label), label.name())
}

/// The tag of a label as an element (its color comes from the `t-<label>` class).
pub fn tag_html(label: Label) -> String {
    format!(
        "<span class=\"tag t-{}\">{}</span>",
        label.name(),
        tag_text(label)
    )
}

/// The strong color of a label (tags, chart bars); Okabe–Ito hues, distinct for color-blind
/// readers.
pub fn label_color(label: Label) -> &'static str {
    match label {
        Label::Collection => "#0072b2",
        Label::Sharing => "#d55e00",
        Label::Sensitive => "#cc79a7",
        Label::Exemptions => "#009e73",
        Label::Rights => "#6a3d9a",
    }
}

/// The color of units with no label ("other").
pub const OTHER_COLOR: &str = "#888888";

/// Statement shown on every page.
pub const DISCLAIMER: &str = "本报告由模型自动标注生成，仅供阅读参考，不构成法律意见。\
This report is generated from automatic labels: an aid for reading policies, not legal advice.";

/// The per-label rules: unit background and tag color, and which units a checked filter box
/// shows (headings always stay).
fn label_css() -> String {
    let mut css = String::new();
    for label in Label::ALL {
        let (name, color) = (label.name(), label_color(label));
        let _ = writeln!(
            css,
            ".l-{name}{{background:{color}24}}.t-{name}{{color:{color}}}\
             body.filtering.show-{name} .u.l-{name}{{display:inline}}"
        );
    }
    css.push_str("body.filtering.show-other .u.l-other{display:inline}\n");
    css
}

/// A whole page: `title` (escaped here), the shared style, the `body` HTML and an inline
/// `script` run at the end of the body.
pub fn page(title: &str, body: &str, script: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE_CSS.len() + script.len() + 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<script>{ERROR_CATCHER_JS}</script>");
    let _ = writeln!(
        out,
        "<style>{STYLE_CSS}{}</style>\n</head>\n<body>",
        label_css()
    );
    out.push_str(body);
    let _ = writeln!(out, "<script>{script}</script>\n</body>\n</html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("收集您的手机号码"), "收集您的手机号码");
    }

    #[test]
    fn tags_name_the_label_in_both_languages() {
        assert_eq!(tag_text(Label::Collection), "[收集 collection]");
        assert!(tag_html(Label::Rights).contains("t-rights"));
    }
}
