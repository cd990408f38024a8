//! Horizontal bar charts as inline SVG, drawn by hand (no plotting library, nothing loaded).

use super::html::escape;
use std::fmt::Write;

/// One segment of a bar: what it counts, how many, and its fill color.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub name: String,
    pub value: usize,
    pub color: &'static str,
}

/// One bar: its name and its segments, drawn left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub name: String,
    pub parts: Vec<Part>,
}

impl Bar {
    /// A bar of one segment.
    pub fn single(name: String, value: usize, color: &'static str) -> Self {
        Bar {
            parts: vec![Part {
                name: name.clone(),
                value,
                color,
            }],
            name,
        }
    }

    fn total(&self) -> usize {
        self.parts.iter().map(|p| p.value).sum()
    }

    /// The text after the bar: the value, or each segment's value for several.
    fn value_text(&self) -> String {
        match self.parts.as_slice() {
            [one] => one.value.to_string(),
            parts => parts
                .iter()
                .map(|p| format!("{} {}", p.value, p.name))
                .collect::<Vec<_>>()
                .join(" · "),
        }
    }
}

const WIDTH: usize = 580;
const NAME_WIDTH: usize = 190;
const VALUE_WIDTH: usize = 150;
const ROW_HEIGHT: usize = 22;
const BAR_HEIGHT: usize = 16;
const TOP: usize = 8;

/// A horizontal bar chart: one row per bar, in the given order, bars scaled to the largest
/// total, each total (or its segments' values) written after its bar. `title` names the chart
/// for screen readers.
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let height = TOP * 2 + ROW_HEIGHT * bars.len().max(1);
    let track = WIDTH - NAME_WIDTH - VALUE_WIDTH;
    let max = bars.iter().map(Bar::total).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{WIDTH}\" \
         height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" aria-label=\"{title}\">\
         <title>{title}</title>",
        title = escape(title)
    );
    for (row, bar) in bars.iter().enumerate() {
        let y = TOP + row * ROW_HEIGHT;
        let middle = y + ROW_HEIGHT / 2;
        let name = escape(&bar.name);
        let _ = write!(
            svg,
            "<g><text x=\"{}\" y=\"{middle}\" text-anchor=\"end\" dominant-baseline=\"middle\" \
             font-size=\"12\">{name}</text>",
            NAME_WIDTH - 8
        );
        let mut x = NAME_WIDTH;
        for part in &bar.parts {
            let length = part.value * track / max;
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{}\" width=\"{length}\" height=\"{BAR_HEIGHT}\" \
                 fill=\"{}\"><title>{name}: {} {}</title></rect>",
                y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                part.color,
                part.value,
                escape(&part.name),
            );
            x += length;
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{middle}\" dominant-baseline=\"middle\" font-size=\"12\">{}</text></g>",
            x + 6,
            escape(&bar.value_text())
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_total_and_names_are_escaped() {
        let bars = [
            Bar::single("a&b".into(), 10, "#000"),
            Bar::single("c".into(), 5, "#000"),
        ];
        let svg = bar_chart("units <per> label", &bars);
        let track = WIDTH - NAME_WIDTH - VALUE_WIDTH;
        assert!(svg.contains(&format!("width=\"{track}\" height=\"{BAR_HEIGHT}\"")));
        assert!(svg.contains(&format!("width=\"{}\" height", track / 2)));
        assert!(svg.contains("a&amp;b") && svg.contains("units &lt;per&gt; label"));
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn segments_follow_each_other_and_say_their_values() {
        let part = |name: &str, value| Part {
            name: name.into(),
            value,
            color: "#111",
        };
        let bar = Bar {
            name: "x".into(),
            parts: vec![part("missing", 1), part("unclear", 3)],
        };
        let svg = bar_chart("t", &[bar]);
        let track = WIDTH - NAME_WIDTH - VALUE_WIDTH;
        let first = track / 4;
        assert!(svg.contains(&format!("<rect x=\"{}\"", NAME_WIDTH + first)));
        assert!(svg.contains("1 missing · 3 unclear"));
    }

    #[test]
    fn an_empty_or_zero_chart_is_still_valid() {
        assert!(bar_chart("none", &[]).ends_with("</svg>"));
        assert!(bar_chart("zero", &[Bar::single("a".into(), 0, "#000")]).contains("width=\"0\""));
    }
}
