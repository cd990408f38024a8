//! Invariants of `segment` on the five seeds and every CAPP-130 policy: offsets round-trip, no
//! empty or over-budget unit, lead-ins reach their list items, seed headings are headings.

use privclause::input::read_path;
use privclause::segment::{segment, SegmentOptions, Unit, UnitKind};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seeds() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(repo().join("datasets/seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    assert_eq!(v.len(), 5, "the five seeds");
    v
}

fn capp_policies() -> Vec<PathBuf> {
    let dir = repo().join("../shared/corpora/capp130/policies");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    assert_eq!(v.len(), 130, "all CAPP-130 policies");
    v
}

/// Checks every invariant of `units` cut from `text` with budget `max`.
fn check(path: &Path, text: &str, units: &[Unit], max: usize) {
    let chars: Vec<char> = text.chars().collect();
    let name = path.display();
    assert!(!units.is_empty(), "{name}: no units");
    let mut prev_end = 0;
    for (i, u) in units.iter().enumerate() {
        assert_eq!(u.index, i, "{name}: index");
        assert!(
            u.start < u.end && u.end <= chars.len(),
            "{name}: unit {i} span"
        );
        let slice: String = chars[u.start..u.end].iter().collect();
        assert_eq!(u.text, slice, "{name}: unit {i} offsets");
        assert!(!u.text.trim().is_empty(), "{name}: unit {i} empty");
        assert!(u.end - u.start <= max, "{name}: unit {i} over budget");
        assert!(
            u.start >= prev_end,
            "{name}: unit {i} overlaps the previous one"
        );
        prev_end = u.end;
        // A list item right after a lead-in sentence carries it as its lead.
        if u.kind == UnitKind::ListItem && i > 0 {
            let p = &units[i - 1];
            if p.kind == UnitKind::Sentence && p.text.ends_with(['：', ':']) {
                assert_eq!(u.lead(), Some(p.text.as_str()), "{name}: unit {i} lead");
            }
        }
        if u.kind == UnitKind::Heading || u.kind == UnitKind::Sentence {
            assert!(u.lead().is_none(), "{name}: unit {i} has a lead");
        }
    }
}

#[test]
fn seeds_hold_invariants_at_several_budgets() {
    for path in seeds() {
        let text = read_path(&path).unwrap().text;
        for max in [256, 64, 7] {
            let units = segment(
                "seed",
                &text,
                &SegmentOptions {
                    max_unit_chars: max,
                },
            );
            check(&path, &text, &units, max);
        }
    }
}

#[test]
fn capp_policies_hold_invariants() {
    let opts = SegmentOptions::default();
    for path in capp_policies() {
        let text = read_path(&path).unwrap().text;
        let units = segment("capp", &text, &opts);
        check(&path, &text, &units, opts.max_unit_chars);
    }
}

#[test]
fn seed_headings_match_the_fixture() {
    for path in seeds() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let fixture = repo().join(format!("tests/fixtures/segment/headings/{stem}.txt"));
        let expected: Vec<String> = std::fs::read_to_string(&fixture)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert!(!expected.is_empty(), "{stem}: fixture lists headings");
        let text = read_path(&path).unwrap().text;
        let got: Vec<String> = segment("seed", &text, &SegmentOptions::default())
            .into_iter()
            .filter(|u| u.kind == UnitKind::Heading)
            .map(|u| u.text)
            .collect();
        assert_eq!(got, expected, "{stem}: headings");
    }
}

#[test]
fn seed_001_structure() {
    let path = seeds()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("001_"))
        .unwrap();
    let text = read_path(&path).unwrap().text;
    let units = segment("001", &text, &SegmentOptions::default());
    // The one-cell-per-line SDK table: one row per SDK, the header row as lead.
    let rows: Vec<&Unit> = units
        .iter()
        .filter(|u| u.kind == UnitKind::TableRow)
        .collect();
    assert_eq!(rows.len(), 21, "header + 20 SDK rows");
    assert!(rows[0].text.starts_with("SDK名称") && rows[0].text.ends_with("通过SDK获取信息的主体"));
    let header = "SDK名称 | 所需的系统权限 | 使用目的/理由 | 涉及用户范围 | 通过SDK获取信息的主体";
    assert!(rows[1..].iter().all(|r| r.lead() == Some(header)));
    assert!(rows[1].text.starts_with("umeng（友盟）"));
    // A list item under a numbered heading carries the heading path and its lead-in.
    let item = units
        .iter()
        .find(|u| u.text.starts_with("（2）与国家安全"))
        .unwrap();
    assert_eq!(item.kind, UnitKind::ListItem);
    assert_eq!(
        item.section(),
        [
            "昭德心理医生版隐私政策",
            "二、我们可能如何收集您的个人信息及收集信息的范围",
            "4、我们可能会通过以下方式和途径收集您的信息"
        ]
    );
    assert!(item
        .lead()
        .unwrap()
        .starts_with("5、在法律法规允许的范围内"));
}

#[test]
fn long_units_are_cut_at_commas() {
    let text = format!("{}。", "我们会收集您的信息，".repeat(40));
    let units = segment("x", &text, &SegmentOptions { max_unit_chars: 50 });
    assert!(units.len() > 1);
    for u in &units[..units.len() - 1] {
        assert!(u.text.ends_with('，') && u.text.chars().count() <= 50);
    }
}

/// The section path of the first unit whose text starts with `start`.
fn section_of(units: &[Unit], start: &str) -> Vec<String> {
    units
        .iter()
        .find(|u| u.text.starts_with(start))
        .unwrap_or_else(|| panic!("no unit starting {start}"))
        .section()
        .to_vec()
}

#[test]
fn a_higher_numbered_heading_closes_stale_lower_ones() {
    // A stray line, the title, an unnumbered 引言, a contents list numbered `1.`–`2.`, then
    // chapters `一、`/`二、` with `（一）`, `1.1`, `2.`, `3.1` and an unnumbered sub-heading below
    // them, and a tab-separated table header that is not a heading.
    let text = "返回顶部\n示例隐私政策\n引言\n本政策说明我们如何处理信息。\n1. 我们如何收集\n2. 如何联系我们\n\
                一、我们如何收集您的个人信息\n我们会收集您的手机号。\n（一）注册\n1.1 账号\n\
                我们会收集账号。\n2. 存储\n我们存储于境内。\n基于通讯录的附加功能\n我们会读取通讯录。\n\
                权限名称\t用途\t接收方\n二、我们如何共享\n我们不会共享。\n2. 共享\n3.1 转让\n我们不会转让。\n";
    let units = segment("x", text, &SegmentOptions::default());
    let section_of = |start: &str| section_of(&units, start);
    let title = "示例隐私政策";
    let chapter = "一、我们如何收集您的个人信息";
    assert_eq!(section_of("本政策说明"), [title, "引言"]);
    assert_eq!(section_of("我们会收集您的手机号"), [title, chapter]);
    assert_eq!(
        section_of("我们会收集账号"),
        [title, chapter, "（一）注册", "1.1 账号"]
    );
    assert_eq!(
        section_of("我们存储于境内"),
        [title, chapter, "（一）注册", "2. 存储"]
    );
    assert_eq!(
        section_of("我们会读取通讯录"),
        [
            title,
            chapter,
            "（一）注册",
            "2. 存储",
            "基于通讯录的附加功能"
        ]
    );
    let header = units
        .iter()
        .find(|u| u.text.starts_with("权限名称"))
        .unwrap();
    assert_ne!(header.kind, UnitKind::Heading);
    assert_eq!(section_of("我们不会共享"), [title, "二、我们如何共享"]);
    // `3.1` is not inside `2.`.
    assert_eq!(
        section_of("我们不会转让"),
        [title, "二、我们如何共享", "3.1 转让"]
    );
}

#[test]
fn a_table_of_contents_is_not_the_section_of_what_follows() {
    let units_of = |text: &str| segment("x", text, &SegmentOptions::default());
    let contents = "示例隐私政策\n一、我们如何收集\n二、我们如何共享\n三、如何联系我们\n";
    // Body right after the contents: under the title only.
    let units = units_of(&format!(
        "{contents}本政策适用于本应用。\n一、我们如何收集\n我们会收集手机号。\n"
    ));
    assert_eq!(section_of(&units, "本政策适用于"), ["示例隐私政策"]);
    assert_eq!(
        section_of(&units, "我们会收集手机号"),
        ["示例隐私政策", "一、我们如何收集"]
    );
    // An unnumbered heading after the contents: under the title, not under 三、.
    let units = units_of(&format!("{contents}特别提示\n请您仔细阅读。\n"));
    assert_eq!(
        section_of(&units, "请您仔细阅读"),
        ["示例隐私政策", "特别提示"]
    );
    // The chapters right after the contents: numbering restarts, the first chapter holds.
    let units = units_of(&format!("{contents}一、我们如何收集\n我们会收集手机号。\n"));
    assert_eq!(
        section_of(&units, "我们会收集手机号"),
        ["示例隐私政策", "一、我们如何收集"]
    );
    // Two empty siblings are not a contents list: the body stays in the second.
    let units = units_of("示例隐私政策\n（一）注册\n（二）登录\n我们会收集手机号。\n");
    assert_eq!(
        section_of(&units, "我们会收集手机号"),
        ["示例隐私政策", "（二）登录"]
    );
}
