//! Tables: markdown pipe rows, and tables flattened to one cell per line (rows recovered from
//! the blank-line rhythm between cells, or from columns whose values repeat with the row width).

use super::lines::Line;
use super::marker;

/// Longest line (chars) taken for a cell of a flattened table.
const MAX_CELL: usize = 160;
/// Fewest lines a flattened table spans.
const MIN_CELLS: usize = 6;
/// Widest row recognised by repetition.
const MAX_WIDTH: usize = 12;
/// Most fingerprints whose buffer [`flattened`] keeps between calls.
const MAX_KEPT_PRINTS: usize = 4096;

fn is_pipe(c: char) -> bool {
    c == '|' || c == '｜'
}

/// A markdown-style row: at least two pipes.
pub fn is_pipe_row(text: &[char]) -> bool {
    text.iter().filter(|&&c| is_pipe(c)).count() >= 2
}

/// A markdown separator row such as `---|---|` or `| :--- | ---: |`.
pub fn is_separator_row(text: &[char]) -> bool {
    text.contains(&'-')
        && text.iter().any(|&c| is_pipe(c))
        && text
            .iter()
            .all(|&c| matches!(c, '-' | ':' | ' ' | '\t') || is_pipe(c))
}

/// The cells of a pipe row, trimmed and joined by ` | ` (for a `lead`).
pub fn join_cells(text: &[char]) -> String {
    let s: String = text.iter().collect();
    s.split(is_pipe)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Text of a cell line without a trailing pipe.
fn cell_text(text: &[char]) -> &[char] {
    let mut e = text.len();
    while e > 0 && (is_pipe(text[e - 1]) || text[e - 1].is_whitespace()) {
        e -= 1;
    }
    &text[..e]
}

/// Whether a line can be one cell of a flattened table; `Some(true)` for `cell |` lines.
fn cell_kind(text: &[char]) -> Option<bool> {
    if text.last().is_some_and(|&c| is_pipe(c)) && !is_pipe_row(text) {
        return Some(true);
    }
    let last = *text.last()?;
    let ok = text.len() <= MAX_CELL
        && !matches!(last, '，' | ',' | '；' | ';' | '：' | ':' | '、')
        && !text.iter().any(|&c| matches!(c, '。' | '；' | '！' | '？'))
        && !is_pipe_row(text)
        && marker::parse(text).is_none();
    ok.then_some(false)
}

/// Outcome of looking for a flattened table at a line.
pub enum Flat {
    /// Line indices where rows start, then the index one past the table's last line (so
    /// `windows(2)` gives the rows).
    Table(Vec<usize>),
    /// No table; the cell-like run (possibly empty) ends before this line index.
    No(usize),
}

/// Looks for a flattened table starting at `lines[from]`; `prints` is scratch space.
pub fn flattened(chars: &[char], lines: &[Line], from: usize, prints: &mut Vec<u64>) -> Flat {
    let text = |i: usize| &chars[lines[i].span()];
    let Some(piped) = cell_kind(text(from)) else {
        return Flat::No(from);
    };
    // Fingerprints are taken in the same pass, while the cells are in cache.
    prints.clear();
    prints.push(fingerprint(cell_text(text(from))));
    let mut end = from + 1;
    while end < lines.len() && cell_kind(text(end)) == Some(piped) {
        prints.push(fingerprint(cell_text(text(end))));
        end += 1;
    }
    if prints.len() < MIN_CELLS {
        return Flat::No(end);
    }
    let starts = rows_by_gaps(&lines[from..end]).or_else(|| rows_by_repetition(prints));
    if prints.capacity() > MAX_KEPT_PRINTS {
        // A huge run's buffer goes back to the allocator now, for the units to reuse.
        *prints = Vec::new();
    }
    match starts {
        Some(mut starts) => {
            starts.iter_mut().for_each(|s| *s += from);
            Flat::Table(starts)
        }
        None => Flat::No(end),
    }
}

/// Row starts (ending with `n`) when the blank lines between cells take exactly two sizes and
/// the larger one separates rows of one width.
fn rows_by_gaps(run: &[Line]) -> Option<Vec<usize>> {
    let gaps = || run[1..].iter().map(|l| l.blanks_before);
    let (lo, hi) = gaps().fold(None, |range, g| match range {
        None => Some((g, g)),
        Some((lo, hi)) => Some((g.min(lo), g.max(hi))),
    })?;
    if lo == hi || gaps().any(|g| g != lo && g != hi) {
        return None;
    }
    let mut starts: Vec<usize> = std::iter::once(0)
        .chain((1..run.len()).filter(|&i| run[i].blanks_before == hi))
        .collect();
    starts.push(run.len());
    let width = starts[1] - starts[0];
    // The last row may be cut short by the end of the run.
    let rows = starts.len() - 2;
    let regular = starts[..starts.len() - 1]
        .windows(2)
        .filter(|w| w[1] - w[0] == width)
        .count();
    (width >= 2 && rows >= 1 && regular * 5 >= rows * 4).then_some(starts)
}

/// Row starts for the smallest width whose columns repeat (cell `i` equals cell `i + width`).
///
/// Cells are compared by their [`fingerprint`]s, so that scoring every width costs one integer
/// comparison per cell (the run can hold millions of cells).
fn rows_by_repetition(prints: &[u64]) -> Option<Vec<usize>> {
    let n = prints.len();
    let score = |k: usize| {
        prints
            .iter()
            .zip(&prints[k..])
            .filter(|(a, b)| a == b)
            .count()
    };
    let scores: Vec<(usize, usize)> = (2..=MAX_WIDTH.min(n / 2)).map(|k| (k, score(k))).collect();
    let best = scores.iter().map(|s| s.1).max()?;
    let (width, s) = *scores.iter().find(|s| s.1 * 5 >= best * 4)?;
    if s < 3 || s * 10 < n - width {
        return None;
    }
    let mut starts: Vec<usize> = (0..n).step_by(width).collect();
    starts.push(n);
    Some(starts)
}

/// FNV-1a over the chars and the length: equal cells give equal prints, and distinct cells of
/// one run share a print with negligible probability (it only feeds a heuristic count).
fn fingerprint(cell: &[char]) -> u64 {
    cell.iter()
        .fold(0xcbf2_9ce4_8422_2325 ^ cell.len() as u64, |h, &c| {
            (h ^ c as u64).wrapping_mul(0x100_0000_01b3)
        })
}
