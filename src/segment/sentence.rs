//! Sentence ends inside one line: `。！？；` and ASCII `!?;.` used as ends, never inside
//! brackets or quotes, URLs, e-mail addresses, decimals or version numbers.

use super::lines::{is_space, trim};

const PAIRS: [(char, char); 11] = [
    ('（', '）'),
    ('(', ')'),
    ('《', '》'),
    ('【', '】'),
    ('“', '”'),
    ('‘', '’'),
    ('「', '」'),
    ('『', '』'),
    ('[', ']'),
    ('〔', '〕'),
    ('〈', '〉'),
];

/// Chars that stay with the sentence they follow (`。”`, `！）`, `？！`).
fn is_trailer(c: char) -> bool {
    matches!(
        c,
        '”' | '’'
            | '）'
            | ')'
            | '】'
            | '》'
            | '」'
            | '』'
            | '"'
            | '\''
            | '。'
            | '！'
            | '？'
            | '；'
            | '!'
            | '?'
            | ';'
            | '…'
    )
}

/// Outermost protected ranges (inclusive) of `chars[start..end]`: matched bracket and quote
/// pairs, and URLs. Unmatched openers protect nothing.
fn protected(chars: &[char], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (pair index, position)
    let push = |ranges: &mut Vec<(usize, usize)>, r: (usize, usize)| {
        while ranges.last().is_some_and(|l| l.0 >= r.0) {
            ranges.pop();
        }
        ranges.push(r);
    };
    let mut i = start;
    while i < end {
        let c = chars[i];
        if c == 'h' || c == 'w' || c == 'H' || c == 'W' {
            if let Some(url_end) = url_at(chars, i, end) {
                push(&mut ranges, (i, url_end - 1));
                i = url_end;
                continue;
            }
        }
        if let Some(p) = PAIRS.iter().position(|&(o, _)| o == c) {
            stack.push((p, i));
        } else if let Some(p) = PAIRS.iter().position(|&(_, cl)| cl == c) {
            if let Some(k) = stack.iter().rposition(|&(q, _)| q == p) {
                let open = stack[k].1;
                stack.truncate(k);
                push(&mut ranges, (open, i));
            }
        }
        i += 1;
    }
    ranges
}

/// If a URL (`http://`, `https://`, `www.`) starts at `i`, the index one past its end.
fn url_at(chars: &[char], i: usize, end: usize) -> Option<usize> {
    let starts = |p: &str| {
        p.chars()
            .enumerate()
            .all(|(k, pc)| i + k < end && chars[i + k].eq_ignore_ascii_case(&pc))
    };
    if !(starts("http://") || starts("https://") || starts("www.")) {
        return None;
    }
    if i > 0 && chars[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let mut j = i;
    while j < end && chars[j].is_ascii_graphic() {
        j += 1;
    }
    Some(j)
}

/// Whether the ASCII terminator at `i` ends a sentence (not `a?b`, `1.5`, `e.g.`, `x@y.com`).
fn ascii_end(chars: &[char], i: usize, end: usize) -> bool {
    let next = chars.get(i + 1).copied().filter(|_| i + 1 < end);
    let next_ok = next.is_none_or(|n| is_space(n) || !n.is_ascii());
    if !next_ok {
        return false;
    }
    if chars[i] != '.' {
        return true;
    }
    // `.` only after a word of two or more letters or a CJK char, and before a space or the end.
    let prev = if i > 0 { chars[i - 1] } else { ' ' };
    let before = if i > 1 { chars[i - 2] } else { ' ' };
    next.is_none_or(is_space)
        && !prev.is_ascii_digit()
        && (prev > '\u{2e80}' || (prev.is_ascii_alphabetic() && before.is_ascii_alphabetic()))
}

/// Appends the sentences of `chars[start..end]` (trimmed, non-empty spans) to `out`;
/// terminators are looked for from `start + skip` on (after a list marker).
pub fn split(chars: &[char], start: usize, end: usize, skip: usize, out: &mut Vec<(usize, usize)>) {
    let prot = protected(chars, start, end);
    let mut p = 0;
    let mut cur = start;
    let mut i = (start + skip).min(end);
    while i < end {
        while p < prot.len() && prot[p].1 < i {
            p += 1;
        }
        if p < prot.len() && prot[p].0 <= i {
            i = prot[p].1 + 1;
            continue;
        }
        let c = chars[i];
        let is_end = match c {
            '。' | '！' | '？' | '；' => true,
            '!' | '?' | ';' | '.' => ascii_end(chars, i, end),
            _ => false,
        };
        i += 1;
        if is_end {
            while i < end && is_trailer(chars[i]) && !prot.iter().any(|r| r.0 == i) {
                i += 1;
            }
            let (s, e) = trim(chars, cur, i);
            if s < e {
                out.push((s, e));
            }
            cur = i;
        }
    }
    let (s, e) = trim(chars, cur, end);
    if s < e {
        out.push((s, e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        let mut out = Vec::new();
        split(&chars, 0, chars.len(), 0, &mut out);
        out.iter()
            .map(|&(a, b)| chars[a..b].iter().collect())
            .collect()
    }

    #[test]
    fn ends_and_guards() {
        assert_eq!(
            sents("我们收集。您同意！是吗？"),
            ["我们收集。", "您同意！", "是吗？"]
        );
        assert_eq!(sents("甲；乙； 丙"), ["甲；", "乙；", "丙"]);
        assert_eq!(
            sents("（以下简称“我们”。）然后。"),
            ["（以下简称“我们”。）然后。"]
        );
        assert_eq!(sents("他说“好。”然后走了。"), ["他说“好。”然后走了。"]);
        assert_eq!(sents("阅读《协议。》后"), ["阅读《协议。》后"]);
        assert_eq!(
            sents("见https://a.com/x?v=1;b=2!ok 和 www.b.cn?q 。下一句"),
            ["见https://a.com/x?v=1;b=2!ok 和 www.b.cn?q 。", "下一句"]
        );
        assert_eq!(
            sents("版本1.2.3与3.5%以及a@b.com。"),
            ["版本1.2.3与3.5%以及a@b.com。"]
        );
        assert_eq!(sents("Do this. Then that"), ["Do this.", "Then that"]);
        assert_eq!(sents("e.g. this"), ["e.g. this"]);
        assert_eq!(sents("未闭合（括号。后文"), ["未闭合（括号。", "后文"]);
        assert_eq!(sents("结束。”"), ["结束。”"]);
    }
}
