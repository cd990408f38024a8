//! Splitting units longer than the budget at the last `，`/`,` before it.

use super::lines::{is_space, trim};

/// Appends `chars[start..end]` cut into trimmed, non-empty pieces of at most `max` chars.
///
/// Cuts after the last `，`/`,` within the budget (in its second half); failing that after the
/// last `、`/`：`/`|`/space; failing that, exactly at the budget.
pub fn split_long(
    chars: &[char],
    start: usize,
    end: usize,
    max: usize,
    out: &mut Vec<(usize, usize)>,
) {
    let max = max.max(1);
    let (mut cur, end) = trim(chars, start, end);
    while end - cur > max {
        let limit = cur + max;
        let floor = cur + max / 2;
        let find = |pred: &dyn Fn(char) -> bool| (floor..limit).rev().find(|&i| pred(chars[i]));
        let cut = find(&|c| c == '，' || c == ',')
            .or_else(|| find(&|c| matches!(c, '、' | '：' | ':' | '|' | '｜') || is_space(c)))
            .map_or(limit, |i| i + 1);
        let (s, e) = trim(chars, cur, cut);
        if s < e {
            out.push((s, e));
        }
        cur = cut;
        while cur < end && is_space(chars[cur]) {
            cur += 1;
        }
    }
    if cur < end {
        out.push((cur, end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_commas_then_hard() {
        let chars: Vec<char> = "甲乙丙，丁戊己庚，辛".chars().collect();
        let mut out = Vec::new();
        split_long(&chars, 0, chars.len(), 6, &mut out);
        assert_eq!(out, [(0, 4), (4, 10)]);
        let chars: Vec<char> = "甲乙丙丁戊己庚".chars().collect();
        out.clear();
        split_long(&chars, 0, chars.len(), 3, &mut out);
        assert_eq!(out, [(0, 3), (3, 6), (6, 7)]);
    }
}
