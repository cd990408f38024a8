//! HTML to plain text, one line per block element and table rows as `| a | b |` lines.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// Elements whose content is never text of the policy.
const SKIPPED: [&str; 8] = [
    "script", "style", "noscript", "template", "head", "svg", "iframe", "object",
];

/// Elements that start and end a line.
const BLOCKS: [&str; 31] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "ul",
];

/// Converts an HTML document to text: block elements become lines, `<br>` a line break, table
/// rows markdown-style pipe rows; scripts and styles are dropped; runs of ASCII whitespace inside
/// text collapse to one space (U+00A0 stays, as the page shows it).
pub fn html_to_text(html: &str) -> String {
    let doc = Html::parse_document(html);
    let mut out = String::with_capacity(html.len() / 2);
    let mut skip = 0usize;
    let mut cell_depth = 0usize;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if skip > 0 || SKIPPED.contains(&name) {
                        skip += 1;
                    } else if name == "td" || name == "th" {
                        out.push_str(if cell_depth == 0 { "| " } else { " " });
                        cell_depth += 1;
                    } else if name == "tr" || name == "br" || BLOCKS.contains(&name) {
                        break_line(&mut out, cell_depth > 0);
                    }
                }
                Node::Text(text) if skip == 0 => push_collapsed(&mut out, text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    if skip > 0 {
                        skip -= 1;
                    } else if name == "td" || name == "th" {
                        cell_depth = cell_depth.saturating_sub(1);
                        if cell_depth == 0 && !out.ends_with(' ') {
                            out.push(' ');
                        }
                    } else if name == "tr" {
                        out.push('|');
                        break_line(&mut out, false);
                    } else if BLOCKS.contains(&name) {
                        break_line(&mut out, cell_depth > 0);
                    }
                }
            }
        }
    }
    out
}

/// Ends the current line (a space inside a table cell), never producing blank lines.
fn break_line(out: &mut String, in_cell: bool) {
    if in_cell {
        if !out.ends_with(' ') {
            out.push(' ');
        }
    } else if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn push_collapsed(out: &mut String, text: &str) {
    let mut last_space = out.is_empty() || out.ends_with([' ', '\n']);
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_lines_and_rows_pipes() {
        let html = "<html><head><title>t</title><style>p{}</style></head><body>\
            <h1>隐私政策</h1><p>第一句。\n  第二句。</p><div>a<br>b</div>\
            <table><tr><th>SDK</th><th>目的</th></tr><tr><td><p>友盟</p></td><td>统计</td></tr></table>\
            <script>var x = 1;</script></body></html>";
        let text = html_to_text(html);
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        assert_eq!(
            lines,
            [
                "隐私政策",
                "第一句。 第二句。",
                "a",
                "b",
                "| SDK | 目的 |",
                "| 友盟 | 统计 |"
            ]
        );
    }
}
