//! Turning a unit and its context into BERT input ids with the model's `tokenizer.json`.

use super::config::ContextMode;
use crate::engine::EncodedUnit;
use tokenizers::Tokenizer;

/// Special token ids the encoder needs.
#[derive(Debug, Clone, Copy)]
struct Specials {
    cls: u32,
    sep: u32,
}

/// Encodes `[CLS] context [SEP] text [SEP]` (or `[CLS] text [SEP]`) within a length budget,
/// truncating the context before the text.
pub struct UnitEncoder {
    tokenizer: Tokenizer,
    specials: Specials,
    context: ContextMode,
    max_length: usize,
    lowercase_ascii: bool,
}

impl UnitEncoder {
    /// Wraps a tokenizer; fails with the name of a missing special token.
    pub fn new(
        tokenizer: Tokenizer,
        context: ContextMode,
        max_length: usize,
        lowercase_ascii: bool,
    ) -> Result<Self, String> {
        let id = |t: &str| {
            tokenizer
                .token_to_id(t)
                .ok_or_else(|| format!("tokenizer has no {t} token"))
        };
        let specials = Specials {
            cls: id("[CLS]")?,
            sep: id("[SEP]")?,
        };
        if max_length < 4 {
            return Err(format!("max_length {max_length} is too small (at least 4)"));
        }
        Ok(Self {
            tokenizer,
            specials,
            context,
            max_length,
            lowercase_ascii,
        })
    }

    /// Changes how context is fed.
    pub fn set_context_mode(&mut self, mode: ContextMode) {
        self.context = mode;
    }

    /// Number of ids in the tokenizer's vocabulary, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.tokenizer.get_vocab_size(true)
    }

    /// Word-piece ids of `text` without special tokens.
    fn pieces(&self, text: &str) -> tokenizers::Result<Vec<u32>> {
        let encoding = if self.lowercase_ascii && text.bytes().any(|b| b.is_ascii_uppercase()) {
            self.tokenizer
                .encode_fast(text.to_ascii_lowercase().as_str(), false)?
        } else {
            self.tokenizer.encode_fast(text, false)?
        };
        Ok(encoding.get_ids().to_vec())
    }

    /// Encodes one unit with its context (ignored when the mode is [`ContextMode::None`]),
    /// truncating a text longer than the budget (what training sees).
    pub fn encode(&self, text: &str, context: &str) -> tokenizers::Result<EncodedUnit> {
        let (text_ids, context_ids) = self.pieces_of(text, context)?;
        let room = self.text_room(&context_ids);
        Ok(self.assemble(&context_ids, &text_ids[..text_ids.len().min(room)]))
    }

    /// Encodes one unit as one or more windows: a text that fits the budget is encoded as by
    /// [`Self::encode`]; a longer one is read whole, in windows that overlap by half, each
    /// with the end of the context (at most a quarter of the budget).
    pub fn encode_windows(
        &self,
        text: &str,
        context: &str,
    ) -> tokenizers::Result<Vec<EncodedUnit>> {
        let (text_ids, context_ids) = self.pieces_of(text, context)?;
        if text_ids.len() <= self.text_room(&context_ids) {
            return Ok(vec![self.assemble(&context_ids, &text_ids)]);
        }
        let context_ids = &context_ids[context_ids.len().saturating_sub(self.max_length / 4)..];
        let specials = if context_ids.is_empty() { 2 } else { 3 };
        let window = self.max_length - specials - context_ids.len();
        Ok(window_starts(text_ids.len(), window)
            .map(|start| self.assemble(context_ids, &text_ids[start..start + window]))
            .collect())
    }

    /// Most text pieces one encoding holds: the budget less `[CLS]`, `[SEP]` and, with a
    /// context, its `[SEP]` and at least one context piece.
    fn text_room(&self, context_ids: &[u32]) -> usize {
        if context_ids.is_empty() {
            self.max_length - 2
        } else {
            self.max_length - 4
        }
    }

    /// Word pieces of the text and of the context (empty when context is not fed).
    fn pieces_of(&self, text: &str, context: &str) -> tokenizers::Result<(Vec<u32>, Vec<u32>)> {
        let text_ids = self.pieces(text)?;
        let context_ids = match self.context {
            ContextMode::SectionAndLead if !context.trim().is_empty() => self.pieces(context)?,
            _ => Vec::new(),
        };
        Ok((text_ids, context_ids))
    }

    /// `[CLS] text [SEP]`, or `[CLS] context [SEP] text [SEP]` with the context cut from its
    /// start to what room the text leaves (the text must fit).
    fn assemble(&self, context_ids: &[u32], text_ids: &[u32]) -> EncodedUnit {
        let Specials { cls, sep } = self.specials;
        if context_ids.is_empty() {
            let mut ids = Vec::with_capacity(text_ids.len() + 2);
            ids.push(cls);
            ids.extend_from_slice(text_ids);
            ids.push(sep);
            let type_ids = vec![0; ids.len()];
            return EncodedUnit { ids, type_ids };
        }
        // The text keeps priority; the context keeps its end (the lead nearest the unit).
        let room = self.max_length - 3 - text_ids.len();
        let context_ids = &context_ids[context_ids.len().saturating_sub(room)..];
        let mut ids = Vec::with_capacity(context_ids.len() + text_ids.len() + 3);
        ids.push(cls);
        ids.extend_from_slice(context_ids);
        ids.push(sep);
        let first = ids.len();
        ids.extend_from_slice(text_ids);
        ids.push(sep);
        let mut type_ids = vec![0; ids.len()];
        type_ids[first..].fill(1);
        EncodedUnit { ids, type_ids }
    }
}

/// Starts of windows of `window` pieces over `len > window` pieces, overlapping by half; the
/// last window ends at the end.
fn window_starts(len: usize, window: usize) -> impl Iterator<Item = usize> {
    let stride = (window / 2).max(1);
    let last = len - window;
    (0..last).step_by(stride).chain(std::iter::once(last))
}

#[cfg(test)]
mod tests {
    use super::window_starts;

    #[test]
    fn windows_cover_the_text_overlapping_by_half() {
        let starts: Vec<usize> = window_starts(250, 94).collect();
        assert_eq!(starts, [0, 47, 94, 141, 156]);
        let starts: Vec<usize> = window_starts(95, 94).collect();
        assert_eq!(starts, [0, 1]);
        // Every piece is in a window, and every run of half a window is whole in one.
        for (len, window) in [(250, 94), (1000, 69), (97, 10)] {
            let starts: Vec<usize> = window_starts(len, window).collect();
            assert_eq!(starts.last(), Some(&(len - window)));
            for from in 0..=len - window / 2 {
                let whole = starts
                    .iter()
                    .any(|&s| s <= from && from + window / 2 <= s + window);
                assert!(whole, "{len} {window} {from}");
            }
        }
    }
}
