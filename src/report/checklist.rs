//! The disclosure checklist: what a privacy policy should tell its reader under the PIPL, as
//! data, and how each item is judged from a policy's labeled units.
//!
//! Every item names the label(s) whose units can support it and keywords of which at least one
//! must occur in such a unit's text:
//!
//! - **present**: some unit carries one of the item's labels and its text contains one of the
//!   item's keywords (ASCII compared case-insensitively);
//! - **unclear**: units carry the label, but none contains a keyword (weak evidence);
//! - **missing**: no unit carries the label.
//!
//! The result is an aid for reading a policy, not a legal assessment.

use crate::labels::Label;
use crate::output::LabeledUnit;

/// One thing a policy should disclose, with the rule that finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChecklistItem {
    /// Stable identifier (anchors, tests).
    pub id: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// Where the duty comes from, e.g. `PIPL art. 23`.
    pub article: &'static str,
    /// Units carrying any of these labels can support the item.
    pub labels: &'static [Label],
    /// One of these in a unit's text makes the unit strong evidence.
    pub keywords: &'static [&'static str],
}

/// The checklist, in the order pages show it.
pub const ITEMS: &[ChecklistItem] = &[
    ChecklistItem {
        id: "collection-purpose",
        title_zh: "收集的个人信息及处理目的",
        title_en: "What it collects and why",
        article: "PIPL art. 17(1)-(2)",
        labels: &[Label::Collection],
        keywords: &["目的", "用于", "为了", "以便", "用途"],
    },
    ChecklistItem {
        id: "sharing-recipients",
        title_zh: "向谁提供或共享",
        title_en: "Whom it shares with",
        article: "PIPL art. 23",
        labels: &[Label::Sharing],
        keywords: &[
            "第三方",
            "合作伙伴",
            "合作方",
            "关联公司",
            "关联方",
            "接收方",
            "服务商",
            "服务提供商",
            "供应商",
            "SDK",
        ],
    },
    ChecklistItem {
        id: "sensitive-types",
        title_zh: "处理的敏感个人信息",
        title_en: "The sensitive information it handles",
        article: "PIPL art. 28-30",
        labels: &[Label::Sensitive],
        keywords: &["敏感个人信息", "个人敏感信息", "敏感信息"],
    },
    ChecklistItem {
        id: "sensitive-separate-consent",
        title_zh: "敏感个人信息的单独同意",
        title_en: "Separate consent for sensitive information",
        article: "PIPL art. 29",
        labels: &[Label::Sensitive],
        keywords: &[
            "单独同意",
            "单独的同意",
            "单独授权",
            "单独征得",
            "单独征求",
            "单独获取",
        ],
    },
    ChecklistItem {
        id: "consent-exceptions",
        title_zh: "无需取得同意的情形",
        title_en: "When consent is not required",
        article: "PIPL art. 13",
        labels: &[Label::Exemptions],
        keywords: &[
            "无需征",
            "无须征",
            "无需事先",
            "无需您的",
            "无需获得",
            "无需取得",
            "无需经",
            "无需另行",
            "不征得",
            "不取得",
            "不需要征得",
            "不必征得",
            "豁免",
            "同意的例外",
        ],
    },
    ChecklistItem {
        id: "right-access",
        title_zh: "查阅、复制个人信息",
        title_en: "How to access or copy it",
        article: "PIPL art. 45",
        labels: &[Label::Rights],
        keywords: &["查阅", "访问", "复制", "查询", "副本"],
    },
    ChecklistItem {
        id: "right-correct",
        title_zh: "更正、补充个人信息",
        title_en: "How to correct it",
        article: "PIPL art. 46",
        labels: &[Label::Rights],
        keywords: &["更正", "修改", "补充", "修正", "更改"],
    },
    ChecklistItem {
        id: "right-delete",
        title_zh: "删除个人信息",
        title_en: "How to delete it",
        article: "PIPL art. 47",
        labels: &[Label::Rights],
        keywords: &["删除"],
    },
    ChecklistItem {
        id: "right-withdraw",
        title_zh: "撤回同意",
        title_en: "How to withdraw consent",
        article: "PIPL art. 15",
        labels: &[Label::Rights],
        keywords: &["撤回", "撤销", "收回", "取消授权", "改变授权", "关闭权限"],
    },
    ChecklistItem {
        id: "right-close-account",
        title_zh: "注销账号",
        title_en: "How to close the account",
        article: "PIPL art. 47; GB/T 35273 8.5",
        labels: &[Label::Rights],
        keywords: &["注销"],
    },
    ChecklistItem {
        id: "right-portability",
        title_zh: "转移个人信息（可携带）",
        title_en: "How to move it to another handler",
        article: "PIPL art. 45",
        labels: &[Label::Rights],
        keywords: &["转移", "可携", "导出", "迁移"],
    },
    ChecklistItem {
        id: "complaint-contact",
        title_zh: "投诉、举报与联系方式",
        title_en: "How to complain or get in touch",
        article: "PIPL art. 50, 17",
        labels: &[Label::Rights],
        keywords: &[
            "投诉",
            "举报",
            "申诉",
            "诉讼",
            "联系我们",
            "联系方式",
            "客服",
            "邮箱",
            "电话",
            "反馈",
        ],
    },
];

/// How well a policy covers one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Present,
    Unclear,
    Missing,
}

impl Status {
    /// The status as written in pages and `data-status` attributes.
    pub fn name(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Unclear => "unclear",
            Status::Missing => "missing",
        }
    }

    /// A symbol that says the status without color.
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Present => "✔",
            Status::Unclear => "?",
            Status::Missing => "✘",
        }
    }
}

/// An item's status in one policy and the units (their `index`) that support it: for
/// `Present` the units with label and keyword, for `Unclear` the units with the label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemResult {
    pub status: Status,
    pub evidence: Vec<usize>,
}

impl ChecklistItem {
    /// Whether a unit's (lower-cased) text holds one of the keywords.
    fn matches_keyword(&self, lowered_text: &str) -> bool {
        self.keywords
            .iter()
            .any(|k| lowered_text.contains(&k.to_lowercase()))
    }

    fn has_label(&self, unit: &LabeledUnit) -> bool {
        self.labels.iter().any(|&l| unit.labels.contains(l))
    }

    /// The item's status over `units` (one policy, in reading order).
    pub fn evaluate(&self, units: &[LabeledUnit]) -> ItemResult {
        let lowered: Vec<String> = units.iter().map(|u| u.text.to_lowercase()).collect();
        self.evaluate_lowered(units, &lowered)
    }

    fn evaluate_lowered(&self, units: &[LabeledUnit], lowered: &[String]) -> ItemResult {
        let labeled: Vec<usize> = (0..units.len())
            .filter(|&i| self.has_label(&units[i]))
            .collect();
        let strong: Vec<usize> = labeled
            .iter()
            .copied()
            .filter(|&i| self.matches_keyword(&lowered[i]))
            .collect();
        let (status, evidence) = if !strong.is_empty() {
            (Status::Present, strong)
        } else if !labeled.is_empty() {
            (Status::Unclear, labeled)
        } else {
            (Status::Missing, Vec::new())
        };
        ItemResult {
            status,
            evidence: evidence.into_iter().map(|i| units[i].index).collect(),
        }
    }
}

/// Every item of [`ITEMS`] evaluated over one policy's units, in [`ITEMS`] order.
pub fn evaluate_all(units: &[LabeledUnit]) -> Vec<ItemResult> {
    let lowered: Vec<String> = units.iter().map(|u| u.text.to_lowercase()).collect();
    ITEMS
        .iter()
        .map(|item| item.evaluate_lowered(units, &lowered))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::labeled_unit;

    fn unit(index: usize, text: &str, labels: &[Label]) -> LabeledUnit {
        labeled_unit("p", index, text, labels)
    }

    fn item(id: &str) -> &'static ChecklistItem {
        ITEMS.iter().find(|i| i.id == id).unwrap()
    }

    #[test]
    fn label_and_keyword_is_present_label_alone_unclear_nothing_missing() {
        let units = [
            unit(0, "您可以删除您的个人信息。", &[Label::Rights]),
            unit(1, "我们会删除过期的日志。", &[]),
            unit(2, "您可以访问您的信息。", &[Label::Rights]),
        ];
        let delete = item("right-delete").evaluate(&units);
        assert_eq!(delete.status, Status::Present);
        assert_eq!(delete.evidence, vec![0], "only the rights unit supports it");
        let close = item("right-close-account").evaluate(&units);
        assert_eq!(close.status, Status::Unclear);
        assert_eq!(close.evidence, vec![0, 2]);
        let sharing = item("sharing-recipients").evaluate(&units);
        assert_eq!(sharing.status, Status::Missing);
        assert!(sharing.evidence.is_empty());
    }

    #[test]
    fn ascii_keywords_ignore_case() {
        let units = [unit(4, "我们接入了第三方sdk。", &[Label::Sharing])];
        let result = item("sharing-recipients").evaluate(&units);
        assert_eq!(result.status, Status::Present);
        assert_eq!(result.evidence, vec![4], "evidence names the unit's index");
    }

    #[test]
    fn items_are_well_formed() {
        let mut ids: Vec<&str> = ITEMS.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ITEMS.len(), "ids are unique");
        for item in ITEMS {
            assert!(
                !item.labels.is_empty() && !item.keywords.is_empty(),
                "{}",
                item.id
            );
            assert!(item.article.starts_with("PIPL"), "{}", item.id);
        }
        let all = evaluate_all(&[]);
        assert_eq!(all.len(), ITEMS.len());
        assert!(all.iter().all(|r| r.status == Status::Missing));
    }
}
