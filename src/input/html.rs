//! HTML to plain text, one line per block element and table rows as `| a | b |` lines.
//!
//! Parsing is html5ever's, in linear time whatever the nesting: the HTML tree builder scans its
//! stack of open elements for many tags, so 100,000 nested `<div>`s would take it minutes. A
//! [`DepthLimit`] between tokenizer and tree builder flattens elements nested deeper than
//! [`MAX_DEPTH`]: their tags reach the tree builder as line breaks (block elements) or not at
//! all (inline ones), which keeps every character of text and the line structure.

use ego_tree::iter::Edge;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, EndTag, StartTag, Tag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use html5ever::tree_builder::{TreeBuilder, TreeSink};
use html5ever::{LocalName, TokenizerResult};
use scraper::{Html, HtmlTreeSink, Node};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Open elements (those that need an end tag) beyond which tags are flattened.
pub const MAX_DEPTH: usize = 256;

/// Elements that never have content or an end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose end tag may be left out: the tree builder closes them when a sibling or the
/// parent's end comes, so they do not nest, and they are not counted.
const OPTIONAL_END: [&str; 21] = [
    "body", "caption", "colgroup", "dd", "dt", "head", "html", "li", "optgroup", "option", "p",
    "rb", "rp", "rt", "rtc", "tbody", "td", "tfoot", "th", "thead", "tr",
];

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

/// A token filter in front of the tree builder that keeps the element nesting it sees at most
/// [`MAX_DEPTH`] deep (see the module docs). Elements with optional end tags, void elements
/// and self-closing tags inside SVG or MathML are not counted (tables nest through `table`,
/// which is).
struct DepthLimit<S> {
    inner: S,
    /// Counted elements open now (start tags passed on, less end tags passed on).
    open: Cell<usize>,
    /// SVG or MathML elements open now (their self-closing tags open nothing).
    foreign: Cell<usize>,
    /// Per element name, start tags flattened whose end tags are still to come.
    flattened: RefCell<HashMap<LocalName, usize>>,
    /// Whether the last token passed on was a line break standing for flattened tags (the next
    /// one adds nothing: line breaks in a row make one).
    after_break: Cell<bool>,
}

/// What [`DepthLimit`] does with a tag.
enum Filtered {
    Pass(Tag),
    /// A flattened tag that ended a line: a `<br>` in its place.
    LineBreak,
    /// A flattened inline tag: nothing in its place.
    Drop,
}

impl<S> DepthLimit<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            open: Cell::new(0),
            foreign: Cell::new(0),
            flattened: RefCell::new(HashMap::new()),
            after_break: Cell::new(false),
        }
    }

    /// What the tree builder gets in place of `tag`.
    fn filter(&self, tag: Tag) -> Filtered {
        let name: &str = &tag.name;
        let is_foreign_root = name == "svg" || name == "math";
        let uncounted = VOID.contains(&name)
            || OPTIONAL_END.contains(&name)
            || (tag.self_closing && self.foreign.get() > 0);
        if uncounted {
            return Filtered::Pass(tag);
        }
        match tag.kind {
            StartTag if self.open.get() >= MAX_DEPTH => {
                *self
                    .flattened
                    .borrow_mut()
                    .entry(tag.name.clone())
                    .or_default() += 1;
                flattened(&tag)
            }
            StartTag => {
                self.open.set(self.open.get() + 1);
                if is_foreign_root {
                    self.foreign.set(self.foreign.get() + 1);
                }
                Filtered::Pass(tag)
            }
            EndTag => {
                if let Some(pending) = self.flattened.borrow_mut().get_mut(&tag.name) {
                    if *pending > 0 {
                        *pending -= 1;
                        return flattened(&tag);
                    }
                }
                self.open.set(self.open.get().saturating_sub(1));
                if is_foreign_root {
                    self.foreign.set(self.foreign.get().saturating_sub(1));
                }
                Filtered::Pass(tag)
            }
        }
    }
}

/// A line break where a flattened tag would have ended a line (a block element or a table row),
/// else nothing.
fn flattened(tag: &Tag) -> Filtered {
    let name: &str = &tag.name;
    if name == "tr" || BLOCKS.contains(&name) {
        Filtered::LineBreak
    } else {
        Filtered::Drop
    }
}

/// A `<br>` start tag.
fn line_break() -> Tag {
    Tag {
        kind: StartTag,
        name: LocalName::from("br"),
        self_closing: false,
        attrs: Vec::new(),
        had_duplicate_attributes: false,
    }
}

impl<S: TokenSink> TokenSink for DepthLimit<S> {
    type Handle = S::Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<S::Handle> {
        let token = match token {
            TagToken(tag) => match self.filter(tag) {
                Filtered::Pass(tag) => TagToken(tag),
                Filtered::LineBreak if self.after_break.get() => return TokenSinkResult::Continue,
                Filtered::LineBreak => {
                    self.after_break.set(true);
                    return self
                        .inner
                        .process_token(TagToken(line_break()), line_number);
                }
                Filtered::Drop => return TokenSinkResult::Continue,
            },
            other => other,
        };
        self.after_break.set(false);
        self.inner.process_token(token, line_number)
    }

    fn end(&self) {
        self.inner.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.inner
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Parses an HTML document as [`Html::parse_document`] does, nesting limited by [`DepthLimit`].
fn parse_document(html: &str) -> Html {
    let builder = TreeBuilder::new(HtmlTreeSink::new(Html::new_document()), Default::default());
    let tokenizer = Tokenizer::new(DepthLimit::new(builder), Default::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    while let TokenizerResult::Script(_) = tokenizer.feed(&input) {}
    tokenizer.end();
    tokenizer.sink.inner.sink.finish()
}

/// Converts an HTML document to text: block elements become lines, `<br>` a line break, table
/// rows markdown-style pipe rows; scripts and styles are dropped; runs of ASCII whitespace inside
/// text collapse to one space (U+00A0 stays, as the page shows it). Linear in the input's size.
pub fn html_to_text(html: &str) -> String {
    let doc = parse_document(html);
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

    #[test]
    fn deep_nesting_keeps_its_text_and_lines() {
        let depth = MAX_DEPTH * 4;
        let html = format!(
            "<body>{}甲<div>乙</div><b>丙</b>{}<p>丁</p></body>",
            "<div><span>".repeat(depth),
            "</span></div>".repeat(depth)
        );
        let lines: Vec<String> = html_to_text(&html).lines().map(str::to_string).collect();
        assert_eq!(lines, ["甲", "乙", "丙", "丁"]);
    }

    #[test]
    fn svg_icons_and_unclosed_paragraphs_are_not_counted_as_nesting() {
        let icons = "<svg><path d='M0'/><circle r='1'/></svg>".repeat(MAX_DEPTH);
        let paragraphs = "<p>段".repeat(MAX_DEPTH * 2);
        let html =
            format!("<body>{icons}{paragraphs}<table><tr><td>a</td><td>b</td></tr></table></body>");
        let text = html_to_text(&html);
        let last: Vec<&str> = text.lines().rev().take(2).collect();
        assert_eq!(last, ["| a | b |", "段"]);
    }
}
