//! Physical lines of the decoded text, as trimmed char spans.

/// One non-blank line: `chars[start..end()]`, whitespace trimmed on both sides.
///
/// 16 bytes: a document can have millions of lines. A line longer than `u32::MAX` chars is
/// cut into lines of at most that length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    len: u32,
    /// Blank (whitespace-only) lines between this line and the previous non-blank one.
    pub blanks_before: u32,
}

impl Line {
    /// Char offset one past the line's last char.
    pub fn end(&self) -> usize {
        self.start + self.len as usize
    }

    /// The line's chars as a range of offsets.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.start..self.end()
    }
}

/// Whitespace for trimming: Unicode whitespace (incl. U+00A0, U+3000) and zero-width marks.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

fn is_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Splits `chars` into non-blank lines (`\n`, `\r\n`, `\r` and Unicode line separators).
pub fn split_lines(chars: &[char]) -> Vec<Line> {
    // Reserved once from the `\n` count (a cheap, vectorised pass), not regrown by doubling:
    // a document can have millions of lines.
    let newlines = chars.iter().filter(|&&c| is_newline(c)).count();
    let mut out = Vec::with_capacity(newlines + 1);
    let mut blanks = 0u32;
    let mut i = 0;
    while i < chars.len() {
        let mut end = i;
        while end < chars.len() && !is_newline(chars[end]) {
            end += 1;
        }
        let (mut s, e) = trim(chars, i, end);
        if s < e {
            while s < e {
                let len = (e - s).min(u32::MAX as usize);
                out.push(Line {
                    start: s,
                    len: len as u32,
                    blanks_before: blanks,
                });
                blanks = 0;
                s += len;
            }
        } else {
            blanks += 1;
        }
        // "\r\n" is one break.
        i = if end + 1 < chars.len() && chars[end] == '\r' && chars[end + 1] == '\n' {
            end + 2
        } else {
            end + 1
        };
    }
    out
}

/// Narrows `start..end` to exclude leading and trailing whitespace.
pub fn trim(chars: &[char], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && is_space(chars[start]) {
        start += 1;
    }
    while end > start && is_space(chars[end - 1]) {
        end -= 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_nbsp_and_blank_runs() {
        let chars: Vec<char> = "a\r\n\u{a0}\r\n\r\n b \rc".chars().collect();
        let lines = split_lines(&chars);
        let spans: Vec<_> = lines
            .iter()
            .map(|l| (l.start, l.end(), l.blanks_before))
            .collect();
        assert_eq!(spans, [(0, 1, 0), (9, 10, 2), (12, 13, 0)]);
    }
}
