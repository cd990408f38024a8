//! Boundary agreement between units and a human sentence split of the same text.
//!
//! Both sides are compared on the text with whitespace and ASCII commas removed (the CAPP-130
//! annotation rewrote some spaces as `,`). Gold sentences are aligned in order; a boundary is a
//! cut between two chars. Only cuts inside the aligned stretch of text count: a unit cut inside
//! a gold sentence is a false positive, a gold sentence edge no unit starts or ends at a false
//! negative. The very start and end of the text are not counted.

use super::ignored;
use crate::segment::Unit;

/// How far (normalised chars) past the previous gold sentence the next one may start.
const MAX_SKIP: usize = 400;
/// Shortest gold sentence (normalised chars) looked for beyond [`MAX_SKIP`].
const MIN_FAR_MATCH: usize = 20;

/// Boundary counts, and where the disagreements are (char offsets into the text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Boundaries {
    pub true_pos: usize,
    pub false_pos: usize,
    pub false_neg: usize,
    /// Gold sentences aligned to the text / given.
    pub aligned: usize,
    pub gold: usize,
    /// Char offsets of cuts the units make but the gold split does not.
    pub false_pos_at: Vec<usize>,
    /// Char offsets of gold cuts the units miss.
    pub false_neg_at: Vec<usize>,
}

impl Boundaries {
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// Adds another document's counts (positions are dropped).
    pub fn add(&mut self, other: &Boundaries) {
        self.true_pos += other.true_pos;
        self.false_pos += other.false_pos;
        self.false_neg += other.false_neg;
        self.aligned += other.aligned;
        self.gold += other.gold;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// A text with ignored chars (whitespace, ASCII commas) removed, and the way back.
struct Normalized {
    kept: Vec<char>,
    /// `kept_at[i]`: char offset in the text of the i-th kept char.
    kept_at: Vec<usize>,
    /// `before[c]`: number of kept chars before char offset `c` (one entry past the end).
    before: Vec<usize>,
}

impl Normalized {
    fn new(text: &str) -> Self {
        let mut kept_at = Vec::new();
        let mut kept = Vec::new();
        let mut before = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.chars().enumerate() {
            before.push(kept.len());
            if !ignored(c) {
                kept.push(c);
                kept_at.push(i);
            }
        }
        before.push(kept.len());
        Self {
            kept,
            kept_at,
            before,
        }
    }

    /// Aligns gold sentences in order; spans in kept-char coordinates.
    fn align<S: AsRef<str>>(&self, gold: &[S]) -> Vec<Option<(usize, usize)>> {
        let kept = &self.kept;
        let n = kept.len();
        let mut spans = Vec::with_capacity(gold.len());
        let mut pos = 0;
        for g in gold {
            let g: Vec<char> = g.as_ref().chars().filter(|&c| !ignored(c)).collect();
            if g.is_empty() || pos + g.len() > n {
                spans.push(None);
                continue;
            }
            let near = (pos + MAX_SKIP).min(n - g.len());
            // Near the previous sentence first; a distinctive sentence may also be found further
            // on (policies with a long preamble or a table the annotators left out).
            let found = (pos..=near)
                .find(|&s| kept[s..s + g.len()] == g[..])
                .or_else(|| {
                    (g.len() >= MIN_FAR_MATCH)
                        .then(|| (near + 1..=n - g.len()).find(|&s| kept[s..s + g.len()] == g[..]))
                        .flatten()
                });
            if let Some(s) = found {
                pos = s + g.len();
            }
            spans.push(found.map(|s| (s, s + g.len())));
        }
        spans
    }
}

/// Finds each gold sentence in `text`, in order, ignoring whitespace and ASCII commas.
/// Returns, per sentence, its char span `(start, end)` in `text`, or `None` where it was not
/// found.
pub fn align_sentences<S: AsRef<str>>(text: &str, gold: &[S]) -> Vec<Option<(usize, usize)>> {
    let norm = Normalized::new(text);
    norm.align(gold)
        .into_iter()
        .map(|span| span.map(|(s, e)| (norm.kept_at[s], norm.kept_at[e - 1] + 1)))
        .collect()
}

/// Compares the cuts of `units` (segmented from `text`) with the gold sentences.
pub fn boundary_agreement<S: AsRef<str>>(text: &str, gold: &[S], units: &[Unit]) -> Boundaries {
    let norm = Normalized::new(text);
    let (kept_at, before) = (&norm.kept_at, &norm.before);
    let n = norm.kept.len();
    let nchars = before.len() - 1;
    let spans: Vec<(usize, usize)> = norm.align(gold).into_iter().flatten().collect();
    let mut gold_cuts: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
    gold_cuts.retain(|&c| c > 0 && c < n);
    gold_cuts.dedup();

    let covered = |c: usize| {
        let k = spans.partition_point(|&(s, _)| s <= c);
        k > 0 && spans[k - 1].1 >= c
    };
    let mut pred: Vec<usize> = units
        .iter()
        .flat_map(|u| [before[u.start.min(nchars)], before[u.end.min(nchars)]])
        .filter(|&c| c > 0 && c < n && covered(c))
        .collect();
    pred.sort_unstable();
    pred.dedup();

    let at = |c: usize| kept_at.get(c).copied().unwrap_or(nchars);
    let mut b = Boundaries {
        aligned: spans.len(),
        gold: gold.len(),
        ..Boundaries::default()
    };
    for &c in &pred {
        if gold_cuts.binary_search(&c).is_ok() {
            b.true_pos += 1;
        } else {
            b.false_pos += 1;
            b.false_pos_at.push(at(c));
        }
    }
    for &c in &gold_cuts {
        if pred.binary_search(&c).is_err() {
            b.false_neg += 1;
            b.false_neg_at.push(at(c));
        }
    }
    b
}
