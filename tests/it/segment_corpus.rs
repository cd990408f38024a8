//! The CAPP-130 reader matches annotation files to policies by content, cleans labels, and the
//! segmenter agrees with the human sentence split.

use privclause::corpus::{boundary_agreement, known_labels, load_capp};
use privclause::segment::{segment, SegmentOptions};
use std::path::PathBuf;

fn capp() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/capp130")
}

#[test]
fn load_capp_matches_by_content_and_agrees() {
    let labels = known_labels(&capp()).unwrap();
    assert_eq!(labels.len(), 13);
    let policies = load_capp(&capp()).unwrap();
    assert_eq!(policies.len(), 130);
    let annotated: Vec<_> = policies.iter().filter(|p| p.annotation.is_some()).collect();
    // 130 annotation files: 2 match no policy text, 2 annotate a policy a second time;
    // 4 policies have no annotation.
    assert_eq!(annotated.len(), 126);
    let dups: usize = policies.iter().map(|p| p.duplicate_annotations.len()).sum();
    assert_eq!(dups, 2);
    let cainiao = policies.iter().find(|p| p.name == "菜鸟").unwrap();
    assert!(cainiao.annotation.as_ref().unwrap().ends_with("rw_1.jsonl"));
    assert_eq!(cainiao.sentences[0].text, "菜鸟APP隐私政策");
    for p in &policies {
        for s in &p.sentences {
            assert!(
                s.labels.iter().all(|l| labels.contains(l)),
                "{}: {:?}",
                p.name,
                s.labels
            );
        }
    }

    let mut total = privclause::corpus::Boundaries::default();
    for p in annotated {
        let units = segment(&p.name, &p.text, &SegmentOptions::default());
        let gold: Vec<&str> = p.sentences.iter().map(|s| s.text.as_str()).collect();
        total.add(&boundary_agreement(&p.text, &gold, &units));
    }
    assert!(
        total.aligned * 100 >= total.gold * 95,
        "most gold sentences align"
    );
    assert!(total.f1() >= 0.95, "boundary F1 {:.4}", total.f1());
}
