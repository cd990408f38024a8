//! Cutting decoded policy text into classifiable clause units.
//!
//! [`segment`] reads the text line by line ([`lines`]), recognises numbering ([`marker`]),
//! tables ([`table`]), sentence ends ([`sentence`]) and over-long units ([`long`]), keeps the
//! heading path in [`sections`] and list lead-ins in a small state machine (`Builder`).

mod lines;
mod long;
mod marker;
mod sections;
mod sentence;
mod table;
mod unit;

pub use unit::{context_of, Place, Unit, UnitKind};

use lines::Line;
use marker::{Family, Marker};
use sections::Sections;
use std::sync::Arc;

/// How units are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentOptions {
    /// Longest unit in chars. BERT-Chinese spends about one token per Chinese char and has 512
    /// positions; 256 leaves room for the `[CLS]`/`[SEP]` tokens and for context (section,
    /// lead) next to the unit.
    pub max_unit_chars: usize,
}

impl Default for SegmentOptions {
    fn default() -> Self {
        SegmentOptions {
            max_unit_chars: DEFAULT_MAX_UNIT_CHARS,
        }
    }
}

/// Default unit budget in chars (see [`SegmentOptions::max_unit_chars`]).
pub const DEFAULT_MAX_UNIT_CHARS: usize = 256;

/// Longest heading text (chars, after the marker).
const MAX_HEADING: usize = 40;
/// Longest unnumbered heading line.
const MAX_PLAIN_HEADING: usize = 30;

/// Reads (at most `max_bytes`), decodes and segments one policy file (see
/// [`crate::input::read_path_limited`]); its units name `doc` as their document.
pub fn segment_file(
    path: &std::path::Path,
    doc: &str,
    opts: &SegmentOptions,
    max_bytes: u64,
) -> Result<Vec<Unit>, crate::input::InputError> {
    let decoded = crate::input::read_path_limited(path, max_bytes)?;
    Ok(segment(doc, &decoded.text, opts))
}

/// Cuts `text` (document `doc`) into units. Offsets are char offsets into `text`;
/// every unit is non-empty, trimmed, and at most `opts.max_unit_chars` long.
pub fn segment(doc: &str, text: &str, opts: &SegmentOptions) -> Vec<Unit> {
    let chars: Vec<char> = text.chars().collect();
    let lines = lines::split_lines(&chars);
    let mut b = Builder {
        doc: Arc::from(doc),
        chars: &chars,
        max: opts.max_unit_chars.max(1),
        // About one unit a line: reserved once, not regrown (and copied) by doubling.
        units: Vec::with_capacity(lines.len()),
        sections: Sections::default(),
        place: None,
        lists: Vec::new(),
        pending_lead: None,
        spans: Vec::new(),
        sentence_spans: Vec::new(),
    };
    let mut i = 0;
    let mut no_table_before = 0;
    let mut prints = Vec::new();
    while i < lines.len() {
        let line = lines[i];
        let t = &chars[line.span()];
        if table::is_pipe_row(t) || table::is_separator_row(t) {
            let mut end = i;
            while end < lines.len() && {
                let t = &chars[lines[end].span()];
                table::is_pipe_row(t) || table::is_separator_row(t)
            } {
                end += 1;
            }
            b.pipe_table(&lines[i..end]);
            i = end;
            continue;
        }
        if i >= no_table_before {
            match table::flattened(&chars, &lines, i, &mut prints) {
                table::Flat::Table(row_starts) => {
                    i = row_starts.last().map_or(i + 1, |&end| end);
                    b.flat_table(&lines, &row_starts);
                    continue;
                }
                table::Flat::No(end) => no_table_before = end,
            }
        }
        let next_family = lines
            .get(i + 1)
            .and_then(|n| marker::parse(&chars[n.span()]))
            .map(|m| m.family);
        b.line(line, next_family);
        i += 1;
    }
    b.units
}

/// The text before a list that introduces it, and the list family of that unit (if a list item).
struct Lead {
    text: Arc<str>,
    family: Option<Family>,
}

struct Builder<'a> {
    doc: Arc<str>,
    chars: &'a [char],
    max: usize,
    units: Vec<Unit>,
    /// Open headings ([`sections`]).
    sections: Sections,
    /// The place of the last unit emitted, reused while its section path and lead hold.
    place: Option<Arc<Place>>,
    /// Open lists, outermost first, with the lead each one got.
    lists: Vec<(Family, Option<Arc<str>>)>,
    /// Set when the last unit ends with `：`/`:`.
    pending_lead: Option<Lead>,
    /// Scratch buffers of spans (pieces of one unit, sentences of one line).
    spans: Vec<(usize, usize)>,
    sentence_spans: Vec<(usize, usize)>,
}

fn ends_with_colon(text: &str) -> bool {
    text.ends_with(['：', ':'])
}

impl Builder<'_> {
    fn text(&self, s: usize, e: usize) -> String {
        self.chars[s..e].iter().collect()
    }

    /// Emits `chars[s..e]` (split to the budget) as units of one kind.
    fn emit(
        &mut self,
        s: usize,
        e: usize,
        kind: UnitKind,
        lead: Option<&Arc<str>>,
        family: Option<Family>,
    ) {
        if kind != UnitKind::Heading {
            self.sections.text_follows();
        }
        let mut pieces = std::mem::take(&mut self.spans);
        pieces.clear();
        long::split_long(self.chars, s, e, self.max, &mut pieces);
        self.update_place(lead);
        let place = self.place.as_ref().expect("set by update_place");
        for &(ps, pe) in &pieces {
            let text = self.text(ps, pe);
            self.pending_lead =
                (kind != UnitKind::Heading && ends_with_colon(&text)).then(|| Lead {
                    text: Arc::from(text.as_str()),
                    family,
                });
            self.units.push(Unit {
                place: Arc::clone(place),
                index: self.units.len(),
                start: ps,
                end: pe,
                text,
                kind,
            });
        }
        self.spans = pieces;
    }

    /// Makes `self.place` the place of a unit under the current headings with `lead`, keeping
    /// the last one if it still is.
    fn update_place(&mut self, lead: Option<&Arc<str>>) {
        let section = self.sections.path();
        let same_lead = |held: Option<&Arc<str>>| match (held, lead) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        let current = self
            .place
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(&p.section, section) && same_lead(p.lead.as_ref()));
        if !current {
            self.place = Some(Arc::new(Place {
                doc: Arc::clone(&self.doc),
                section: Arc::clone(section),
                lead: lead.cloned(),
            }));
        }
    }

    /// Whether a list of `family` is going on or being introduced (so a numbered line is an item).
    fn in_list(&self, family: Family) -> bool {
        self.pending_lead
            .as_ref()
            .is_some_and(|l| l.family != Some(family))
            || self
                .lists
                .iter()
                .any(|(f, lead)| *f == family && lead.is_some())
    }

    /// Handles one ordinary line; `next_family` is the marker family of the next line, if any.
    fn line(&mut self, line: Line, next_family: Option<Family>) {
        let t = &self.chars[line.span()];
        let m = marker::parse(t);
        match m {
            // A short numbered line is a heading, unless it sits in a list of its family that a
            // lead-in introduced and the list goes on with the next line.
            Some(m)
                if m.family.heading_capable()
                    && is_heading_text(&t[m.len..], MAX_HEADING)
                    && !(self.in_list(m.family) && next_family == Some(m.family)) =>
            {
                self.heading(line, m)
            }
            Some(m) => self.list_item(line, m),
            None if is_plain_heading(t) => {
                let plain_list = self.pending_lead.is_some()
                    || self.lists.last().is_some_and(|(f, _)| *f == Family::Plain);
                if plain_list {
                    self.list_item(line, Marker::PLAIN);
                } else {
                    self.heading(line, Marker::PLAIN);
                }
            }
            None => {
                if self.lists.last().is_some_and(|(f, _)| *f == Family::Plain) {
                    self.lists.pop();
                }
                self.sentences(line.start, line.end(), 0, UnitKind::Sentence, None, None);
            }
        }
    }

    fn heading(&mut self, line: Line, marker: Marker) {
        let text = self.text(line.start, line.end());
        let opening = self.sections.close_for(marker, &text);
        self.lists.clear();
        self.emit(line.start, line.end(), UnitKind::Heading, None, None);
        self.pending_lead = None;
        self.sections.open(opening, text);
    }

    fn list_item(&mut self, line: Line, m: Marker) {
        let family = m.family;
        let lead_in = self
            .pending_lead
            .take()
            .filter(|l| l.family != Some(family))
            .map(|l| l.text);
        let open = self.lists.iter().rposition(|(f, _)| *f == family);
        let lead = match (lead_in, open) {
            (Some(text), _) => {
                self.lists.truncate(open.unwrap_or(self.lists.len()));
                self.lists.push((family, Some(Arc::clone(&text))));
                Some(text)
            }
            (None, Some(k)) if m.number != 1 => {
                self.lists.truncate(k + 1);
                self.lists[k].1.clone()
            }
            (None, open) => {
                self.lists.truncate(open.unwrap_or(self.lists.len()));
                self.lists.push((family, None));
                None
            }
        };
        self.sentences(
            line.start,
            line.end(),
            m.len,
            UnitKind::ListItem,
            lead.as_ref(),
            Some(family),
        );
    }

    fn sentences(
        &mut self,
        s: usize,
        e: usize,
        skip: usize,
        kind: UnitKind,
        lead: Option<&Arc<str>>,
        family: Option<Family>,
    ) {
        let mut spans = std::mem::take(&mut self.sentence_spans);
        spans.clear();
        sentence::split(self.chars, s, e, skip, &mut spans);
        for &(ss, se) in &spans {
            self.emit(ss, se, kind, lead, family);
        }
        self.sentence_spans = spans;
    }

    fn pipe_table(&mut self, rows: &[Line]) {
        let mut header: Option<Arc<str>> = None;
        for row in rows {
            let t = &self.chars[row.span()];
            if table::is_separator_row(t) {
                continue;
            }
            let (s, e) = (row.start, row.end());
            if header.is_some() {
                self.emit(s, e, UnitKind::TableRow, header.as_ref(), None);
            } else {
                header = Some(Arc::from(table::join_cells(t)));
                let lead = self.pending_lead.take().map(|l| l.text);
                self.emit(s, e, UnitKind::TableRow, lead.as_ref(), None);
            }
        }
        self.pending_lead = None;
    }

    /// Emits the rows of a flattened table; `row_starts` as in [`table::Flat::Table`].
    fn flat_table(&mut self, lines: &[Line], row_starts: &[usize]) {
        let mut header: Option<Arc<str>> = None;
        for row in row_starts.windows(2) {
            let (s, e) = (lines[row[0]].start, lines[row[1] - 1].end());
            if header.is_some() {
                self.emit(s, e, UnitKind::TableRow, header.as_ref(), None);
            } else {
                let cells: Vec<String> = lines[row[0]..row[1]]
                    .iter()
                    .map(|l| table::join_cells(&self.chars[l.span()]))
                    .collect();
                header = Some(Arc::from(cells.join(" | ")));
                let lead = self.pending_lead.take().map(|l| l.text);
                self.emit(s, e, UnitKind::TableRow, lead.as_ref(), None);
            }
        }
        self.pending_lead = None;
    }
}

/// Short text with no sentence punctuation and no closing comma/colon.
fn is_heading_text(body: &[char], max: usize) -> bool {
    let Some(&last) = body.last() else {
        return false;
    };
    body.len() <= max
        && !matches!(last, '，' | ',' | '、' | '：' | ':' | '…' | '；' | ';')
        && !body
            .iter()
            .any(|&c| matches!(c, '。' | '；' | '！' | '？' | '!' | '?'))
}

/// An unnumbered line that reads as a title: short, no sentence or clause punctuation, not a
/// `key：value` line, a URL or a tab-separated table row.
fn is_plain_heading(line: &[char]) -> bool {
    is_heading_text(line, MAX_PLAIN_HEADING)
        && !line
            .iter()
            .any(|&c| matches!(c, '：' | ':' | '，' | ',' | '@' | '/' | '|' | '\t'))
        && line.iter().any(|&c| c > '\u{2e80}')
}
