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

    /// Encodes one unit with its context (ignored when the mode is [`ContextMode::None`]).
    pub fn encode(&self, text: &str, context: &str) -> tokenizers::Result<EncodedUnit> {
        let mut text_ids = self.pieces(text)?;
        let context_ids = match self.context {
            ContextMode::SectionAndLead if !context.trim().is_empty() => self.pieces(context)?,
            _ => Vec::new(),
        };
        let Specials { cls, sep } = self.specials;
        if context_ids.is_empty() {
            text_ids.truncate(self.max_length - 2);
            let mut ids = Vec::with_capacity(text_ids.len() + 2);
            ids.push(cls);
            ids.extend_from_slice(&text_ids);
            ids.push(sep);
            let type_ids = vec![0; ids.len()];
            return Ok(EncodedUnit { ids, type_ids });
        }
        // The text keeps priority; the context keeps its end (the lead nearest the unit).
        text_ids.truncate(self.max_length - 4);
        let room = self.max_length - 3 - text_ids.len();
        let context_ids = &context_ids[context_ids.len().saturating_sub(room)..];
        let mut ids = Vec::with_capacity(context_ids.len() + text_ids.len() + 3);
        ids.push(cls);
        ids.extend_from_slice(context_ids);
        ids.push(sep);
        let first = ids.len();
        ids.extend_from_slice(&text_ids);
        ids.push(sep);
        let mut type_ids = vec![0; ids.len()];
        type_ids[first..].fill(1);
        Ok(EncodedUnit { ids, type_ids })
    }
}
