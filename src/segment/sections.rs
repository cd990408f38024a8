//! The path of open headings above each unit (its `section`), and which headings a new one
//! closes: its own family and what the usual numbering order puts below it
//! ([`Marker::closes`]), except the document's title; and the last entry of a table of
//! contents once text follows it.

use super::marker::{Family, Marker};
use std::sync::Arc;

/// Empty sibling headings in a row that make a table of contents.
const MIN_CONTENTS_RUN: usize = 3;

/// Open headings, outermost first, and what decides how the next heading nests.
#[derive(Default)]
pub(super) struct Sections {
    /// Open headings (marker, text), outermost first.
    open: Vec<(Marker, String)>,
    /// Their texts, as every unit under them carries them (built when a unit needs it after
    /// the headings changed).
    path: Option<Arc<[String]>>,
    /// Whether `open[0]` is the document's title, which stays open to the end: a later
    /// unnumbered heading is a section, not a new title. The title is the first heading if
    /// unnumbered, replaced by an unnumbered heading naming a policy (`…隐私政策`) before the
    /// first numbered one.
    has_title: bool,
    /// Whether any heading came yet.
    headings_seen: bool,
    /// Whether a numbered heading came yet.
    numbered_seen: bool,
    /// Numbered sibling headings in a row, counting up, with nothing between them; the last
    /// one is open (a contents list when long enough; a restart at `一、` begins the text).
    contents_run: usize,
}

impl Sections {
    /// The open headings' texts, outermost first; the same `Arc` until the headings change.
    pub(super) fn path(&mut self) -> &Arc<[String]> {
        let open = &self.open;
        self.path
            .get_or_insert_with(|| open.iter().map(|(_, t)| t.clone()).collect())
    }

    /// A unit that is not a heading comes: a table of contents before it ends.
    pub(super) fn text_follows(&mut self) {
        if self.contents_run >= MIN_CONTENTS_RUN && self.open.len() > usize::from(self.has_title) {
            self.open.pop();
            self.path = None;
        }
        self.contents_run = 0;
    }

    /// A heading with `marker` and `text` comes: closes the headings it ends, so that
    /// [`Self::path`] is the heading's own section, and returns what [`Self::open`] needs.
    pub(super) fn close_for(&mut self, marker: Marker, text: &str) -> Opening {
        let family = marker.family;
        let numbered = !matches!(family, Family::Plain | Family::Bracket);
        let sibling = numbered
            && self.contents_run > 0
            && self
                .open
                .last()
                .is_some_and(|(open, _)| open.family == family && marker.number > open.number);
        let run = if sibling {
            self.contents_run + 1
        } else {
            self.text_follows();
            1
        };
        if family == Family::Plain && !self.numbered_seen && names_a_policy(text) {
            self.open.clear();
            self.path = None;
            self.has_title = true;
        } else {
            let first_closable = usize::from(self.has_title);
            let closes = |(open, _): &(Marker, String)| marker.closes(*open);
            if let Some(k) = self.open[first_closable..].iter().position(closes) {
                self.open.truncate(first_closable + k);
                self.path = None;
            }
            self.has_title |= !self.headings_seen && family == Family::Plain;
        }
        self.headings_seen = true;
        self.numbered_seen |= numbered;
        Opening { marker, run }
    }

    /// Opens the heading [`Self::close_for`] made room for, after its unit was emitted.
    pub(super) fn open(&mut self, opening: Opening, text: String) {
        self.open.push((opening.marker, text));
        self.path = None;
        self.contents_run = opening.run;
    }
}

/// A heading between [`Sections::close_for`] and [`Sections::open`].
pub(super) struct Opening {
    marker: Marker,
    /// Its place in a run of sibling headings.
    run: usize,
}

/// Whether a heading names a policy or agreement (a title: `…隐私政策`, `…保护指引`).
fn names_a_policy(text: &str) -> bool {
    ["政策", "指引", "协议", "声明"]
        .iter()
        .any(|w| text.contains(w))
}
