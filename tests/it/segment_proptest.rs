//! Arbitrary bytes and strings never make decoding or segmentation panic, and offsets stay valid.

use privclause::input::decode;
use privclause::segment::{segment, SegmentOptions};
use proptest::prelude::*;

fn check(text: &str, max: usize) {
    let chars: Vec<char> = text.chars().collect();
    let units = segment(
        "p",
        text,
        &SegmentOptions {
            max_unit_chars: max,
        },
    );
    let mut prev = 0;
    for u in &units {
        assert!(u.start >= prev && u.start < u.end && u.end <= chars.len());
        assert_eq!(u.text, chars[u.start..u.end].iter().collect::<String>());
        assert!(!u.text.trim().is_empty());
        assert!(u.end - u.start <= max.max(1));
        prev = u.end;
    }
}

/// Policy-like text: markers, brackets, terminators, colons, pipes, URLs, blank lines.
fn policy_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("一、".to_owned()),
        Just("（二）".to_owned()),
        Just("1.2.3".to_owned()),
        Just("（1）".to_owned()),
        Just("①".to_owned()),
        Just("• ".to_owned()),
        Just("【引言】".to_owned()),
        Just("我们收集您的信息".to_owned()),
        Just("，".to_owned()),
        Just("。".to_owned()),
        Just("；".to_owned()),
        Just("：".to_owned()),
        Just("“".to_owned()),
        Just("”".to_owned()),
        Just("（".to_owned()),
        Just("）".to_owned()),
        Just(" | ".to_owned()),
        Just("---|---".to_owned()),
        Just("https://a.cn/x?y=1;z".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n\u{a0}\n\n".to_owned()),
        "[a-z0-9.!?;:]{0,4}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..120).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), html: bool) {
        if let Ok(d) = decode(&bytes, html) {
            check(&d.text, 256);
        }
    }

    #[test]
    fn arbitrary_strings_keep_offsets(text in any::<String>(), max in 1usize..300) {
        check(&text, max);
    }

    #[test]
    fn policy_like_strings_keep_offsets(text in policy_like(), max in 1usize..80) {
        check(&text, max);
        let _ = decode(text.as_bytes(), true);
    }
}
