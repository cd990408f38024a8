//! The section tree of a policy, built from its units' heading paths, for the side navigation.

use crate::output::LabeledUnit;
use crate::segment::UnitKind;

/// One section: its heading, the unit its link goes to, and its subsections in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionNode {
    pub title: String,
    /// `index` of the section's heading unit, or of its first unit when the heading is not
    /// a unit of its own.
    pub anchor: usize,
    pub children: Vec<SectionNode>,
}

/// How many unused heading units are searched when a section opens.
const HEADING_LOOKBACK: usize = 16;

/// Deeper heading levels are left out of the tree (and the rendering stays shallow).
pub const MAX_DEPTH: usize = 8;

/// The tree of the `section` paths of `units` (in reading order). A section that returns after
/// another one at its level began is a new node, so the tree follows the text. Levels below
/// [`MAX_DEPTH`] are left out.
pub fn section_tree(units: &[LabeledUnit]) -> Vec<SectionNode> {
    let mut roots: Vec<SectionNode> = Vec::new();
    // Heading units not yet matched to a section: their own path (section + text) and index.
    let mut headings: Vec<(Vec<&str>, usize)> = Vec::new();
    for unit in units {
        let mut level = &mut roots;
        for depth in 0..unit.section.len().min(MAX_DEPTH) {
            let title = unit.section[depth].as_str();
            let continues = level.last().is_some_and(|last| last.title == title);
            if !continues {
                let path: Vec<&str> = unit.section[..=depth].iter().map(|s| s.trim()).collect();
                let from = headings.len().saturating_sub(HEADING_LOOKBACK);
                let anchor = match headings[from..].iter().rposition(|(p, _)| *p == path) {
                    Some(found) => headings.remove(from + found).1,
                    None => unit.index,
                };
                level.push(SectionNode {
                    title: title.to_string(),
                    anchor,
                    children: Vec::new(),
                });
            }
            level = &mut level.last_mut().expect("just ensured").children;
        }
        if unit.kind == Some(UnitKind::Heading) {
            let mut path: Vec<&str> = unit.section.iter().map(|s| s.trim()).collect();
            path.push(unit.text.trim());
            headings.push((path, unit.index));
        }
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::labeled_unit;

    fn unit(index: usize, kind: UnitKind, section: &[&str], text: &str) -> LabeledUnit {
        LabeledUnit {
            kind: Some(kind),
            section: section.iter().map(|s| s.to_string()).collect(),
            ..labeled_unit("p", index, text, &[])
        }
    }

    #[test]
    fn sections_nest_and_link_to_their_headings() {
        use UnitKind::*;
        let units = [
            unit(0, Heading, &[], "隐私政策"),
            unit(1, Sentence, &["隐私政策"], "引言。"),
            unit(2, Heading, &["隐私政策"], "一、收集"),
            unit(3, Sentence, &["隐私政策", "一、收集"], "我们收集。"),
            unit(
                4,
                Sentence,
                &["隐私政策", "二、共享"],
                "没有标题单元的章节。",
            ),
            unit(5, Sentence, &["附录"], "另一个根。"),
        ];
        let tree = section_tree(&units);
        assert_eq!(tree.len(), 2);
        assert_eq!((tree[0].title.as_str(), tree[0].anchor), ("隐私政策", 0));
        let children: Vec<(&str, usize)> = tree[0]
            .children
            .iter()
            .map(|c| (c.title.as_str(), c.anchor))
            .collect();
        assert_eq!(children, [("一、收集", 2), ("二、共享", 4)]);
        assert_eq!((tree[1].title.as_str(), tree[1].anchor), ("附录", 5));
    }

    #[test]
    fn units_without_sections_give_no_tree() {
        assert!(section_tree(&[unit(0, UnitKind::Sentence, &[], "x")]).is_empty());
    }
}
