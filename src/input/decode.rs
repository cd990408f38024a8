//! Bytes to text: BOM sniffing, strict UTF-8, BOM-less UTF-16, then a `chardetng` guess.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Why some bytes are not usable policy text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Zero bytes, or only whitespace after decoding.
    #[error("empty file")]
    Empty,
    /// NUL or other control bytes that no text encoding explains.
    #[error("binary content, not text")]
    Binary,
    /// The detected encoding does not decode the bytes without errors.
    #[error("invalid {encoding} text")]
    Malformed { encoding: &'static str },
}

/// Decoded policy text and how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, BOM removed; HTML converted to lines. Unit offsets index this text.
    pub text: String,
    /// Name of the encoding used (`UTF-8`, `UTF-16LE`, `GBK`, …).
    pub encoding: &'static str,
    /// Whether the input was HTML and was converted to text.
    pub html: bool,
}

/// Decodes `bytes`; `html` forces HTML conversion (otherwise content that starts like an HTML
/// document is converted too). Never panics; malformed input is an error, never replaced.
pub fn decode(bytes: &[u8], html: bool) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let (encoding, body) = match Encoding::for_bom(bytes) {
        Some((enc, bom_len)) => (enc, &bytes[bom_len..]),
        None => (sniff(bytes)?, bytes),
    };
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or(DecodeError::Malformed {
            encoding: encoding.name(),
        })?;
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    if looks_binary(&text) {
        return Err(DecodeError::Binary);
    }
    let is_html = html || looks_like_html(&text);
    let text = if is_html {
        super::html_to_text(&text)
    } else {
        text.into_owned()
    };
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(Decoded {
        text,
        encoding: encoding.name(),
        html: is_html,
    })
}

/// Picks an encoding for BOM-less bytes.
fn sniff(bytes: &[u8]) -> Result<&'static Encoding, DecodeError> {
    if bytes.contains(&0) {
        return utf16_without_bom(bytes).ok_or(DecodeError::Binary);
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(UTF_8);
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    Ok(detector.guess(None, chardetng::Utf8Detection::Deny))
}

/// BOM-less UTF-16 shows as many NUL bytes on one side of each code unit (ASCII, line breaks).
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let pairs = sample.len() / 2;
    let even_nuls = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nuls = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    // Chinese text in UTF-16 has few NULs (line breaks, ASCII), nearly all on one side
    // (a CJK code unit such as U+4E00 may contribute one on the other).
    if odd_nuls * 20 >= pairs && odd_nuls >= even_nuls * 4 {
        Some(UTF_16LE)
    } else if even_nuls * 20 >= pairs && even_nuls >= odd_nuls * 4 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// More than 1% control characters (other than tab, line and form feeds) means binary.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c') {
            control += 1;
        }
    }
    control * 100 > total
}

/// Content that opens with a doctype, `<html`, `<head` or `<body` tag (case-insensitive).
fn looks_like_html(text: &str) -> bool {
    let head = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let head: String = head
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<body", "<?xml"]
        .iter()
        .any(|p| head.starts_with(p))
        && text.contains('>')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_removed() {
        let d = decode("\u{feff}隐私政策".as_bytes(), false).unwrap();
        assert_eq!(d.text, "隐私政策");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn gbk_is_detected() {
        let text = "我们如何收集和使用您的个人信息。在您使用我们的服务时，我们会收集您的设备信息。";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let d = decode(&bytes, false).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "GBK");
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "隐私政策\r\n一、定义\r\n";
        let mut le: Vec<u8> = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le, false).unwrap().text, text);
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&be, false).unwrap().text, text);
    }

    #[test]
    fn empty_binary_and_malformed_are_errors() {
        assert_eq!(decode(b"", false), Err(DecodeError::Empty));
        assert_eq!(decode(b" \r\n\t", false), Err(DecodeError::Empty));
        assert_eq!(
            decode(&[0x7f, b'E', b'L', b'F', 0, 1, 0, 0, 3], false),
            Err(DecodeError::Binary)
        );
        assert_eq!(
            decode(&[0xef, 0xbb, 0xbf, 0xff, 0xfe, 0xfd], false),
            Err(DecodeError::Malformed { encoding: "UTF-8" })
        );
    }

    #[test]
    fn html_content_is_sniffed() {
        let d = decode(b"<!DOCTYPE html><p>a</p><p>b</p>", false).unwrap();
        assert!(d.html);
        assert_eq!(d.text.split_whitespace().collect::<Vec<_>>(), ["a", "b"]);
    }
}
