//! Numbering and bullet markers at the start of a line (`一、`, `（一）`, `1.2.4`, `（1）`, `•`, …).

use super::lines::is_space;

/// The numbering style of a marker; lines with the same family are siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `第一条`, `第二章`, `第三部分`.
    Chapter,
    /// `一、`, `二.`.
    CnNum,
    /// `（一）`, `(二)`.
    CnParen,
    /// `1.2`, `1.2.4`: the number of components.
    Dotted(u8),
    /// `1.`, `1、`, `1．`.
    Arabic,
    /// `（1）`, `(1)`, `1)`, `⑴`.
    ArabicParen,
    /// `①`.
    Circled,
    /// `a.`, `a)`, `(a)`, `A、`.
    Letter,
    /// `ii.`, `iv)`, `III、`.
    Roman,
    /// `•`, `·`, `-`, `*`, `●`, ….
    Bullet,
    /// A whole line in `【…】`.
    Bracket,
    /// No marker (short unnumbered headings, unmarked list items).
    Plain,
}

impl Family {
    /// Whether a short line with this marker can be a heading.
    pub fn heading_capable(self) -> bool {
        matches!(
            self,
            Family::Chapter
                | Family::CnNum
                | Family::CnParen
                | Family::Dotted(_)
                | Family::Arabic
                | Family::Bracket
                | Family::Plain
        )
    }

    /// Whether a heading of this family closes an open heading of `other` by the usual order
    /// of Chinese numbering (`第一章` > `一、` > `（一）`, `1.` > `1.1` > `1.1.1`), even when no
    /// heading of this family is open: a `二、` after a table of contents numbered `1.`–`8.`
    /// ends those. A chapter or `一、` heading also closes unnumbered and `【…】` headings (a
    /// stray sub-heading, or an 引言 before the chapters). `（一）` and `1.` are not ordered
    /// (policies nest them both ways).
    pub fn outranks(self, other: Family) -> bool {
        let depth = |f: Family| match f {
            Family::Arabic => Some(1),
            Family::Dotted(n) => Some(n),
            _ => None,
        };
        match (self, other) {
            (Family::Chapter, o) => o != Family::Chapter,
            (Family::CnNum, o) => !matches!(o, Family::Chapter | Family::CnNum),
            (a, b) => matches!((depth(a), depth(b)), (Some(x), Some(y)) if x < y),
        }
    }
}

/// A marker found at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    pub family: Family,
    /// The item number (1 for `一`, `a`, `①`, the first component of `1.2.4`, …; 0 when there
    /// is none).
    pub number: u32,
    /// Chars taken by the marker and the whitespace after it.
    pub len: usize,
}

impl Marker {
    /// No marker: an unnumbered heading or list item.
    pub const PLAIN: Marker = Marker {
        family: Family::Plain,
        number: 0,
        len: 0,
    };

    /// Whether a heading with this marker closes the open heading marked `open`: one of its own
    /// family, one [`Family::outranks`] puts below it, or a `1.`/`1.2` heading whose number is
    /// not this `3.1`'s first component (a `3.1` is not inside `2.`).
    pub fn closes(self, open: Marker) -> bool {
        let dotted_elsewhere = matches!(self.family, Family::Dotted(_))
            && matches!(open.family, Family::Arabic | Family::Dotted(_))
            && open.family.outranks(self.family)
            && open.number != self.number;
        self.family == open.family || self.family.outranks(open.family) || dotted_elsewhere
    }
}

const BULLETS: &str = "•·‧∙●○■□◆◇▪▫►▶▷➢➤√✓✔★☆◎※-*＊－";

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        '百' => 100,
        _ => return None,
    })
}

/// Value of a Chinese numeral of up to 4 chars (`十一` = 11, `二十三` = 23).
fn cn_number(s: &[char]) -> Option<(u32, usize)> {
    let n = s
        .iter()
        .take(5)
        .take_while(|&&c| cn_digit(c).is_some())
        .count();
    if n == 0 || n > 4 {
        return None;
    }
    let (mut total, mut cur) = (0u32, 0u32);
    for &c in &s[..n] {
        match cn_digit(c)? {
            d @ (10 | 100) => {
                total += cur.max(1) * d;
                cur = 0;
            }
            d => cur = d,
        }
    }
    Some((total + cur, n))
}

fn ascii_number(s: &[char]) -> Option<(u32, usize)> {
    let n = s.iter().take(4).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 3 {
        return None;
    }
    let v = s[..n]
        .iter()
        .fold(0u32, |v, c| v * 10 + (*c as u32 - '0' as u32));
    Some((v, n))
}

fn is_open(c: char) -> bool {
    c == '(' || c == '（'
}
fn is_close(c: char) -> bool {
    c == ')' || c == '）'
}
fn is_dot(c: char) -> bool {
    c == '.' || c == '．'
}

/// Parses the marker at the start of `line` (already trimmed).
pub fn parse(line: &[char]) -> Option<Marker> {
    let (family, number, len) = parse_core(line)?;
    let mut len = len;
    while len < line.len() && is_space(line[len]) {
        len += 1;
    }
    Some(Marker {
        family,
        number,
        len,
    })
}

fn parse_core(s: &[char]) -> Option<(Family, u32, usize)> {
    let first = *s.first()?;
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    if first == '第' {
        let (v, n) = cn_number(&s[1..]).or_else(|| ascii_number(&s[1..]))?;
        return matches!(at(1 + n), '条' | '章' | '节' | '部' | '篇').then(|| {
            (
                Family::Chapter,
                v,
                1 + n + usize::from(at(1 + n) == '部') + 1,
            )
        });
    }
    if first == '【' {
        let close = s.iter().position(|&c| c == '】')?;
        return (close == s.len() - 1 && close > 1).then_some((Family::Bracket, 0, 0));
    }
    if let Some((v, n)) = cn_number(s) {
        return matches!(at(n), '、' | '.' | '．' | '，').then_some((Family::CnNum, v, n + 1));
    }
    if is_open(first) {
        if let Some((v, n)) = cn_number(&s[1..]) {
            return is_close(at(1 + n)).then_some((Family::CnParen, v, n + 2));
        }
        if let Some((v, n)) = ascii_number(&s[1..]) {
            return is_close(at(1 + n)).then_some((Family::ArabicParen, v, n + 2));
        }
        let l = at(1);
        return (l.is_ascii_alphabetic() && is_close(at(2)))
            .then(|| (Family::Letter, letter_value(l), 3));
    }
    if let Some((v, n)) = ascii_number(s) {
        let next = at(n);
        if is_dot(next) && at(n + 1).is_ascii_digit() {
            // 1.2 / 1.2.4 (optionally closed by `.`/`、`).
            let mut i = n;
            let mut depth = 1u8;
            while is_dot(at(i)) {
                let Some((_, m)) = ascii_number(&s[i + 1..]) else {
                    break;
                };
                i += 1 + m;
                depth = depth.saturating_add(1);
            }
            // `2.5G`, `3.5%`, `1.2.3.4`: quantities and versions, not numbering.
            if at(i).is_ascii_alphanumeric() || at(i) == '%' {
                return None;
            }
            if matches!(at(i), '.' | '．' | '、') {
                i += 1;
            }
            return (n <= 2).then_some((Family::Dotted(depth), v, i));
        }
        return match next {
            '、' | '.' | '．' if !at(n + 1).is_ascii_digit() => Some((Family::Arabic, v, n + 1)),
            ')' | '）' => Some((Family::ArabicParen, v, n + 1)),
            _ => None,
        };
    }
    if let c @ '①'..='⑳' = first {
        return Some((Family::Circled, c as u32 - '①' as u32 + 1, 1));
    }
    if let c @ '⑴'..='⒇' = first {
        return Some((Family::ArabicParen, c as u32 - '⑴' as u32 + 1, 1));
    }
    let roman = s
        .iter()
        .take(5)
        .take_while(|c| matches!(c, 'i' | 'v' | 'x' | 'I' | 'V' | 'X'))
        .count();
    if (2..=4).contains(&roman) && matches!(at(roman), '.' | '．' | ')' | '）' | '、') {
        return Some((Family::Roman, 0, roman + 1));
    }
    if first.is_ascii_alphabetic() {
        let next = at(1);
        let ok = matches!(next, ')' | '）' | '、' | '．')
            || (next == '.' && !at(2).is_ascii_alphabetic());
        return ok.then(|| (Family::Letter, letter_value(first), 2));
    }
    if BULLETS.contains(first) {
        // `-` and `*` only as bullets when followed by a space or non-ASCII text.
        let next = at(1);
        let ok = !matches!(first, '-' | '*') || is_space(next) || !next.is_ascii();
        return (ok && s.len() > 1).then_some((Family::Bullet, 0, 1));
    }
    None
}

fn letter_value(c: char) -> u32 {
    c.to_ascii_lowercase() as u32 - 'a' as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fam(s: &str) -> Option<(Family, u32)> {
        let chars: Vec<char> = s.chars().collect();
        parse(&chars).map(|m| (m.family, m.number))
    }

    #[test]
    fn families() {
        assert_eq!(fam("一、定义"), Some((Family::CnNum, 1)));
        assert_eq!(fam("十一、如何联系我们"), Some((Family::CnNum, 11)));
        assert_eq!(fam("（三）删除"), Some((Family::CnParen, 3)));
        assert_eq!(fam("1.1.2身份认证"), Some((Family::Dotted(3), 1)));
        assert_eq!(fam("4.1.共享"), Some((Family::Dotted(2), 4)));
        assert_eq!(fam("1、我们"), Some((Family::Arabic, 1)));
        assert_eq!(fam("10. 学术"), Some((Family::Arabic, 10)));
        assert_eq!(fam("（10）法律"), Some((Family::ArabicParen, 10)));
        assert_eq!(fam("2)相册"), Some((Family::ArabicParen, 2)));
        assert_eq!(fam("②开启"), Some((Family::Circled, 2)));
        assert_eq!(fam("(b) 在法定"), Some((Family::Letter, 2)));
        assert_eq!(fam("c.您理解"), Some((Family::Letter, 3)));
        assert_eq!(fam("iii. 目前"), Some((Family::Roman, 0)));
        assert_eq!(fam("· iMark"), Some((Family::Bullet, 0)));
        assert_eq!(fam("第三条 信息"), Some((Family::Chapter, 3)));
        assert_eq!(fam("【引言】"), Some((Family::Bracket, 0)));
        assert_eq!(fam("一旦您同意"), None);
        assert_eq!(fam("2022年2月"), None);
        assert_eq!(fam("2.5G网络"), None);
        assert_eq!(fam("e.g. this"), None);
        assert_eq!(fam("-1 度"), None);
    }

    #[test]
    fn higher_numbering_closes_lower_headings() {
        assert!(Family::CnNum.outranks(Family::Arabic));
        assert!(Family::CnNum.outranks(Family::Dotted(2)));
        assert!(Family::CnNum.outranks(Family::CnParen));
        assert!(Family::Chapter.outranks(Family::CnNum));
        assert!(Family::Arabic.outranks(Family::Dotted(2)));
        assert!(Family::Dotted(2).outranks(Family::Dotted(3)));
        assert!(!Family::Dotted(2).outranks(Family::Arabic));
        assert!(!Family::CnParen.outranks(Family::Arabic));
        assert!(!Family::Arabic.outranks(Family::CnParen));
        assert!(Family::CnNum.outranks(Family::Plain));
        assert!(Family::CnNum.outranks(Family::Bracket));
        assert!(!Family::Arabic.outranks(Family::Plain));
        assert!(!Family::CnNum.outranks(Family::Chapter));
        let marker = |family, number| Marker {
            family,
            number,
            len: 0,
        };
        assert!(marker(Family::Dotted(2), 3).closes(marker(Family::Arabic, 2)));
        assert!(!marker(Family::Dotted(2), 2).closes(marker(Family::Arabic, 2)));
        assert!(marker(Family::Dotted(3), 1).closes(marker(Family::Dotted(2), 2)));
        assert!(!marker(Family::Dotted(3), 2).closes(marker(Family::Dotted(2), 2)));
        assert!(!marker(Family::Arabic, 3).closes(marker(Family::CnParen, 1)));
    }
}
