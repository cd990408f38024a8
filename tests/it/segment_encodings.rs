//! GBK, UTF-16 (BOM) and HTML versions of each seed, made here with encoding_rs, decode to the
//! same units as the UTF-8 seed (HTML: same texts, kinds, sections and leads; offsets differ).

use privclause::input::decode;
use privclause::segment::{segment, SegmentOptions, Unit};
use std::path::PathBuf;

fn seeds() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/seeds");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    assert_eq!(v.len(), 5);
    v
}

fn units(text: &str) -> Vec<Unit> {
    segment("seed", text, &SegmentOptions::default())
}

#[test]
fn gbk_and_utf16_decode_to_the_same_units() {
    for (name, text) in seeds() {
        // GB18030 is GBK plus four-byte sequences for what GBK lacks; detection names it GBK
        // (whose decoder in encoding_rs reads all of GB18030).
        let (gb, _, lossy) = encoding_rs::GB18030.encode(&text);
        assert!(!lossy, "{name}: GB18030 holds the seed");
        let d = decode(&gb, false).unwrap();
        assert_eq!(d.encoding, "GBK", "{name}");
        assert_eq!(units(&d.text), units(&text), "{name}: GB18030/GBK");

        for big_endian in [false, true] {
            let mut bytes: Vec<u8> = if big_endian {
                vec![0xfe, 0xff]
            } else {
                vec![0xff, 0xfe]
            };
            for u in text.encode_utf16() {
                bytes.extend(if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                });
            }
            let d = decode(&bytes, false).unwrap();
            assert_eq!(
                units(&d.text),
                units(&text),
                "{name}: UTF-16 (BE: {big_endian})"
            );
        }

        let mut with_bom = "\u{feff}".to_owned();
        with_bom.push_str(&text.replace('\n', "\r\n"));
        let d = decode(with_bom.as_bytes(), false).unwrap();
        let crlf: Vec<_> = units(&d.text).into_iter().map(|u| u.text).collect();
        let lf: Vec<_> = units(&text)
            .into_iter()
            .map(|u| u.text.replace('\n', "\r\n"))
            .collect();
        assert_eq!(crlf, lf, "{name}: UTF-8 BOM + CRLF");
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn html_decodes_to_the_same_units() {
    for (name, text) in seeds() {
        // One <p> per line; like a page, it drops blank lines, so compare seeds with
        // single-line units (flattened tables keep their blank lines in the UTF-8 text).
        let mut html =
            String::from("<!DOCTYPE html><html><head><title>隐私政策</title></head><body>\n");
        let mut plain = String::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            html.push_str(&format!("<p>{}</p>\n", escape(line)));
            plain.push_str(line);
            plain.push('\n');
        }
        html.push_str("</body></html>");
        let d = decode(html.as_bytes(), false).unwrap();
        assert!(d.html, "{name}");
        let key = |u: Unit| {
            let place = (u.section().to_vec(), u.lead().map(str::to_owned));
            (u.text.trim().to_owned(), u.kind, place)
        };
        let got: Vec<_> = units(&d.text).into_iter().map(key).collect();
        let want: Vec<_> = units(&plain).into_iter().map(key).collect();
        assert_eq!(got, want, "{name}: HTML");
    }
}
