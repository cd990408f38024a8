//! `privclause report` end to end: every unit once, in reading order, with its label tags and
//! scores; checklist results that follow the rules; escaped policy text; bad inputs reported
//! while the others still get their pages; JSONL, Parquet and `--label` giving the same pages.

use crate::common::{self, privclause, privclause_ok};
use privclause::labels::{Label, Scores};
use privclause::output::LabeledUnit;
use privclause::report::checklist::{Status, ITEMS};
use privclause::segment::UnitKind;
use scraper::{ElementRef, Html, Selector};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn select<'a>(html: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    html.select(&Selector::parse(selector).unwrap()).collect()
}

fn record(
    doc: &str,
    index: usize,
    kind: UnitKind,
    section: &[&str],
    text: &str,
    labels: &[Label],
) -> LabeledUnit {
    let score = |l: Label| if labels.contains(&l) { 0.9 } else { 0.0123 };
    LabeledUnit {
        kind: Some(kind),
        section: section.iter().map(|s| s.to_string()).collect(),
        scores: Scores::rounded(Label::ALL.map(score)),
        windows: 1,
        model: "tiny@0".into(),
        ..privclause::fixtures::labeled_unit(doc, index, text, labels)
    }
}

fn write_jsonl(path: &Path, records: &[LabeledUnit]) {
    let lines: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn read_jsonl(path: &Path) -> Vec<LabeledUnit> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The corpus page and the policy pages it links to, by the `doc` of their row.
fn read_site(out: &Path) -> (Html, BTreeMap<String, (PathBuf, Html)>) {
    let index = Html::parse_document(&std::fs::read_to_string(out.join("index.html")).unwrap());
    let mut pages = BTreeMap::new();
    for row in select(&index, "#policies tbody tr") {
        let doc = row.value().attr("data-doc").unwrap().to_string();
        let link = row
            .select(&Selector::parse("a").unwrap())
            .next()
            .unwrap()
            .value()
            .attr("href")
            .unwrap();
        let path = out.join(link);
        let page = Html::parse_document(&std::fs::read_to_string(&path).unwrap());
        pages.insert(doc, (path, page));
    }
    (index, pages)
}

/// The tag a page shows for a label.
fn tag(label: Label) -> String {
    let chinese = match label {
        Label::Collection => "收集",
        Label::Sharing => "共享",
        Label::Sensitive => "敏感",
        Label::Exemptions => "例外",
        Label::Rights => "权利",
    };
    format!("[{chinese} {label}]")
}

/// Every record of `doc` appears once on its page, in index order, with its text, its label
/// tags (and no others) and its five scores.
fn assert_units_match(page: &Html, records: &[&LabeledUnit]) {
    let mut expected: Vec<&LabeledUnit> = records.to_vec();
    expected.sort_by_key(|r| r.index);
    let units = select(page, "[data-unit]");
    assert_eq!(units.len(), expected.len(), "one element per unit");
    let tag_selector = Selector::parse(".tag").unwrap();
    for (element, record) in units.iter().zip(&expected) {
        let attr = |name| element.value().attr(name).unwrap();
        assert_eq!(attr("data-unit"), record.index.to_string(), "reading order");
        assert_eq!(attr("id"), format!("u{}", record.index));
        let tags: Vec<String> = element
            .select(&tag_selector)
            .map(|t| t.text().collect())
            .collect();
        let wanted: Vec<String> = record.labels.iter().map(tag).collect();
        assert_eq!(tags, wanted, "unit {}", record.index);
        let text: String = element.text().collect();
        assert_eq!(text, format!("{}{}", record.text, wanted.concat()));
        for label in Label::ALL {
            let score = format!("{label} {:.4}", record.scores.get(label));
            assert!(
                attr("title").contains(&score),
                "{score} in {}",
                attr("title")
            );
        }
        let is_heading = element.value().name().starts_with('h');
        assert_eq!(is_heading, record.kind == Some(UnitKind::Heading));
    }
}

/// The checklist rows follow the rules of `ITEMS` over `records`: present with the labeled
/// units holding a keyword as evidence, unclear with the labeled units, missing with none.
fn assert_checklist_follows_rules(page: &Html, records: &[&LabeledUnit]) {
    let link = Selector::parse("a[data-evidence]").unwrap();
    for item in ITEMS {
        let labeled: Vec<&LabeledUnit> = records
            .iter()
            .copied()
            .filter(|r| item.labels.iter().any(|&l| r.labels.contains(l)))
            .collect();
        let strong: Vec<usize> = labeled
            .iter()
            .filter(|r| {
                let text = r.text.to_lowercase();
                item.keywords
                    .iter()
                    .any(|k| text.contains(&k.to_lowercase()))
            })
            .map(|r| r.index)
            .collect();
        let (status, mut evidence) = if !strong.is_empty() {
            (Status::Present, strong)
        } else if !labeled.is_empty() {
            (Status::Unclear, labeled.iter().map(|r| r.index).collect())
        } else {
            (Status::Missing, Vec::new())
        };
        evidence.sort_unstable();
        evidence.truncate(6);
        let row = select(page, &format!("tr[data-item=\"{}\"]", item.id));
        assert_eq!(row.len(), 1, "{}", item.id);
        assert_eq!(
            row[0].value().attr("data-status"),
            Some(status.name()),
            "{}",
            item.id
        );
        let linked: Vec<usize> = row[0]
            .select(&link)
            .map(|a| a.value().attr("data-evidence").unwrap().parse().unwrap())
            .collect();
        assert_eq!(linked, evidence, "{}", item.id);
        let row_text: String = row[0].text().collect();
        assert!(row_text.contains(item.article), "{}", item.id);
    }
}

fn hand_written_policy() -> Vec<LabeledUnit> {
    use Label::*;
    use UnitKind::*;
    let doc = "policies/甲 & <乙>.txt";
    let top = ["甲隐私政策"];
    let rights = ["甲隐私政策", "二、您的权利"];
    vec![
        record(doc, 0, Heading, &[], "甲隐私政策", &[]),
        record(doc, 1, Heading, &top, "一、收集与共享", &[]),
        record(
            doc,
            2,
            Sentence,
            &["甲隐私政策", "一、收集与共享"],
            "我们会收集您的手机号码，用于注册账号。",
            &[Collection],
        ),
        record(
            doc,
            3,
            Sentence,
            &["甲隐私政策", "一、收集与共享"],
            "<script>alert('x')</script>我们会向合作伙伴提供您的身份证号码。",
            &[Sharing, Sensitive],
        ),
        record(doc, 4, Heading, &top, "二、您的权利", &[]),
        record(
            doc,
            5,
            ListItem,
            &rights,
            "1、您可以删除您的个人信息。",
            &[Rights],
        ),
        record(
            doc,
            6,
            ListItem,
            &rights,
            "2、您可以查阅您的信息。",
            &[Rights],
        ),
        record(doc, 7, Sentence, &rights, "本政策自发布之日起生效。", &[]),
    ]
}

#[test]
fn hand_written_records_give_one_marked_unit_each_and_checklist_results_that_match() {
    let inputs = tempfile::tempdir().unwrap();
    let policy = hand_written_policy();
    // Records out of order, and a second policy in another file.
    let mut shuffled = policy.clone();
    shuffled.swap(2, 6);
    write_jsonl(&inputs.path().join("a.jsonl"), &shuffled);
    let other: Vec<LabeledUnit> = (0..3)
        .map(|i| {
            let text = format!("第{i}句。");
            record("b.txt", i, UnitKind::Sentence, &[], &text, &[])
        })
        .collect();
    write_jsonl(&inputs.path().join("b.jsonl"), &other);
    let out = tempfile::tempdir().unwrap();
    privclause_ok(&["report", arg(inputs.path()), "-o", arg(out.path())]);

    let (index, pages) = read_site(out.path());
    assert_eq!(pages.len(), 2);
    let (path, page) = &pages["policies/甲 & <乙>.txt"];
    let records: Vec<&LabeledUnit> = policy.iter().collect();
    assert_units_match(page, &records);
    assert_checklist_follows_rules(page, &records);
    assert_units_match(&pages["b.txt"].1, &other.iter().collect::<Vec<_>>());

    // The rules, on this policy, by hand.
    let status = |id: &str| {
        let row = select(page, &format!("tr[data-item=\"{id}\"]"));
        row[0].value().attr("data-status").unwrap().to_string()
    };
    assert_eq!(status("collection-purpose"), "present");
    assert_eq!(status("sharing-recipients"), "present");
    assert_eq!(status("right-delete"), "present");
    assert_eq!(status("right-access"), "present");
    assert_eq!(status("sensitive-separate-consent"), "unclear");
    assert_eq!(status("right-close-account"), "unclear");
    assert_eq!(status("consent-exceptions"), "missing");

    // Policy text is escaped, never markup.
    let raw = std::fs::read_to_string(path).unwrap();
    assert!(raw.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!raw.contains("<script>alert"));
    assert!(raw.contains("甲 &amp; &lt;乙&gt;.txt"));
    assert_eq!(
        raw.matches("<script").count(),
        2,
        "no per-unit scripts: the error catcher and the filter only"
    );

    // Section navigation links to the headings; every label has a filter.
    let nav: Vec<(String, String)> = select(page, "nav.toc a[href^=\"#u\"]")
        .iter()
        .map(|a| (a.value().attr("href").unwrap().into(), a.text().collect()))
        .collect();
    let expected: Vec<(String, String)> = [
        ("#u0", "甲隐私政策"),
        ("#u1", "一、收集与共享"),
        ("#u4", "二、您的权利"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(nav, expected);
    assert_eq!(
        select(page, "input[data-filter]").len(),
        Label::ALL.len() + 1
    );
    assert!(raw.contains("not legal advice"));

    // The corpus row counts what the records say.
    let row = select(&index, "tr[data-doc=\"policies/甲 & <乙>.txt\"]");
    let cells: Vec<String> = row[0]
        .select(&Selector::parse("td").unwrap())
        .map(|c| c.value().attr("data-v").unwrap().to_string())
        .collect();
    let count = |label: Label| policy.iter().filter(|r| r.labels.contains(label)).count();
    let mut expected = vec!["甲 & <乙>.txt".to_string(), policy.len().to_string()];
    expected.extend(Label::ALL.map(|l| count(l).to_string()));
    expected.push(
        policy
            .iter()
            .filter(|r| r.labels.is_empty())
            .count()
            .to_string(),
    );
    let present = select(page, "tr[data-status=\"present\"]").len();
    let missing = select(page, "tr[data-status=\"missing\"]").len();
    expected.extend([present.to_string(), missing.to_string()]);
    assert_eq!(cells, expected);
}

#[test]
fn a_malformed_input_is_reported_and_the_others_still_rendered() {
    let inputs = tempfile::tempdir().unwrap();
    let good = hand_written_policy();
    write_jsonl(&inputs.path().join("good.jsonl"), &good);
    let line = serde_json::to_string(&good[0]).unwrap();
    std::fs::write(
        inputs.path().join("broken.jsonl"),
        format!("{line}\n{{\"doc\": \"x\", \"index\": \n"),
    )
    .unwrap();
    std::fs::write(inputs.path().join("bad.parquet"), b"PAR1 not really").unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = privclause(&["report", arg(inputs.path()), "-o", arg(out.path())]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("broken.jsonl: line 2"),
        "names the file and line: {stderr}"
    );
    assert!(stderr.contains("bad.parquet"), "{stderr}");
    assert!(stderr.contains("2 inputs failed"), "{stderr}");

    let (index, pages) = read_site(out.path());
    assert_eq!(pages.len(), 1, "only the good file's policy");
    let records: Vec<&LabeledUnit> = good.iter().collect();
    assert_units_match(&pages[&good[0].doc].1, &records);
    let failures: String = select(&index, "section.failures li")
        .iter()
        .flat_map(|li| li.text())
        .collect();
    assert!(failures.contains("broken.jsonl") && failures.contains("bad.parquet"));
}

#[test]
fn nothing_to_read_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = privclause(&["report", arg(empty.path()), "-o", arg(out.path())]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no labeled records"));
}

#[test]
fn jsonl_parquet_and_label_flag_give_the_same_pages_for_tiny_model_labels() {
    let model = common::tiny_model();
    let work = tempfile::tempdir().unwrap();
    let seed = work.path().join("seed.txt");
    std::fs::copy(common::seeds_dir().join("003_f94399429406dde4.txt"), &seed).unwrap();
    let labeled = work.path().join("labeled");
    let parquet = work.path().join("all.parquet");
    let label = |format: &str, output: &str| {
        privclause_ok(&[
            "label",
            arg(&seed),
            "--model",
            arg(model.path()),
            "--format",
            format,
            "-o",
            output,
        ])
    };
    label("jsonl", &format!("{}/", arg(&labeled)));
    label("parquet", arg(&parquet));
    let records = read_jsonl(&labeled.join("seed.txt.jsonl"));
    let sites = [
        work.path().join("from-jsonl"),
        work.path().join("from-parquet"),
        work.path().join("from-label"),
    ];
    privclause_ok(&["report", arg(&labeled), "-o", arg(&sites[0])]);
    privclause_ok(&["report", arg(&parquet), "-o", arg(&sites[1])]);
    privclause_ok(&[
        "report",
        "--label",
        arg(&seed),
        "--model",
        arg(model.path()),
        "-o",
        arg(&sites[2]),
    ]);

    let (_, pages) = read_site(&sites[0]);
    let (path, page) = &pages[arg(&seed)];
    let all: Vec<&LabeledUnit> = records.iter().collect();
    assert_units_match(page, &all);
    assert_checklist_follows_rules(page, &all);
    let html = std::fs::read_to_string(path).unwrap();
    let index = std::fs::read_to_string(sites[0].join("index.html")).unwrap();
    for site in &sites[1..] {
        let page = site.join(path.strip_prefix(&sites[0]).unwrap());
        assert_eq!(std::fs::read_to_string(page).unwrap(), html, "{site:?}");
        let other_index = std::fs::read_to_string(site.join("index.html")).unwrap();
        assert_eq!(other_index, index, "{site:?}");
    }
}

#[test]
fn a_long_policy_is_plain_html_written_quickly() {
    let inputs = tempfile::tempdir().unwrap();
    let records: Vec<LabeledUnit> = (0..2000)
        .map(|i| {
            let labels = [Label::ALL[i % 5]];
            let labels: &[Label] = if i % 7 == 0 { &[] } else { &labels };
            let text = format!("第{i}条：我们会收集并用于改进服务的信息说明。");
            let section = format!("第{}章", i / 100);
            record(
                "long.txt",
                i,
                UnitKind::Sentence,
                &[&section],
                &text,
                labels,
            )
        })
        .collect();
    write_jsonl(&inputs.path().join("long.jsonl"), &records);
    let out = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    privclause_ok(&["report", arg(inputs.path()), "-o", arg(out.path())]);
    let seconds = started.elapsed().as_secs_f64();
    assert!(seconds < 5.0, "took {seconds:.1} s");
    let (_, pages) = read_site(out.path());
    let (path, page) = &pages["long.txt"];
    assert_units_match(page, &records.iter().collect::<Vec<_>>());
    let raw = std::fs::read_to_string(path).unwrap();
    assert_eq!(raw.matches("<script").count(), 2);
    assert_eq!(
        select(page, "nav.toc li li").len(),
        20,
        "one link per chapter"
    );
}
