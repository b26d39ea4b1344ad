//! # Tokenisation: characters to ids and back
//!
//! A neural network computes with numbers, so text has to become a sequence of integers first. The
//! simplest tokenizer there is, and the one microgpt.py uses: every distinct character of the corpus
//! gets an id, in sorted order, `0..n`. One more id, `n`, is the BOS ("beginning of sequence") token.
//! It marks the edges of a document: each name is encoded as `[BOS, c₁, …, cₖ, BOS]`, so the model
//! learns both how names start (what follows the first BOS) and when they end (predicting the second
//! BOS). At sampling time, BOS is the prompt and generating BOS is the signal to stop.

use crate::error::{Error, Result};

// ANCHOR: Tokenizer
/// A character-level vocabulary: the sorted distinct characters of a corpus, plus BOS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokenizer {
    chars: Vec<char>,
}
// ANCHOR_END: Tokenizer

/// A token id: `0..vocab_size`, where the largest id is BOS.
pub type Token = usize;

/// The id of BOS in a vocabulary of `vocab_size` tokens: the last one, after every character. A model
/// knows only its vocabulary size, and this is how it finds BOS.
pub fn bos_id(vocab_size: usize) -> Token {
    vocab_size - 1
}

impl Tokenizer {
    // ANCHOR: from_docs
    /// The vocabulary of a corpus: every character that occurs in it, sorted.
    ///
    /// Fails with [`Error::EmptyCorpus`] if the documents contain no characters at all.
    pub fn from_docs<S: AsRef<str>>(docs: &[S]) -> Result<Self> {
        // A table indexed by code point marks the characters seen; reading it in order yields them
        // sorted (a counting sort), in one pass over a corpus of any size.
        let mut seen: Vec<bool> = Vec::new();
        // The common case, a document in ASCII, a byte per character: no UTF-8 to decode, and a
        // table indexed by a byte needs no bounds check.
        let mut ascii = [false; 256];
        for doc in docs.iter().map(AsRef::as_ref) {
            if doc.is_ascii() {
                doc.bytes().for_each(|b| ascii[usize::from(b)] = true);
                continue;
            }
            for ch in doc.chars() {
                let i = ch as usize;
                if i >= seen.len() {
                    seen.resize(i + 1, false);
                }
                seen[i] = true;
            }
        }
        seen.resize(seen.len().max(128), false);
        seen.iter_mut().zip(ascii).for_each(|(s, a)| *s |= a);
        let chars = (0..seen.len() as u32).filter(|&i| seen[i as usize]).filter_map(char::from_u32).collect();
        Self::from_chars(chars)
    }
    // ANCHOR_END: from_docs

    /// A vocabulary from its characters, which must be non-empty ([`Error::EmptyCorpus`]), sorted and
    /// distinct ([`Error::UnsortedVocabulary`]), as a checkpoint stores them.
    pub fn from_chars(chars: Vec<char>) -> Result<Self> {
        if chars.is_empty() {
            return Err(Error::EmptyCorpus);
        }
        if let Some(w) = chars.windows(2).find(|w| w[0] >= w[1]) {
            return Err(Error::UnsortedVocabulary { before: w[0], after: w[1] });
        }
        Ok(Tokenizer { chars })
    }

    /// The characters with ids `0..n`, in id order.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    // ANCHOR: bos
    /// The id of the BOS token: one past the last character.
    pub fn bos(&self) -> Token {
        bos_id(self.vocab_size())
    }

    /// The number of distinct tokens: the characters plus BOS.
    pub fn vocab_size(&self) -> usize {
        self.chars.len() + 1
    }
    // ANCHOR_END: bos

    // ANCHOR: workbook_ch03
    // ANCHOR: encode
    /// The ids of the characters of `text` (no BOS).
    ///
    /// A character outside the vocabulary is an [`Error::UnknownChar`] naming it and its position
    /// (counted in characters from 0).
    pub fn encode(&self, text: &str) -> Result<Vec<Token>> {
        let mut tokens = Vec::with_capacity(text.len());
        self.encode_into(text, &mut tokens)?;
        Ok(tokens)
    }

    /// A document as the model trains on it: `[BOS, c₁, …, cₖ, BOS]`.
    pub fn encode_doc(&self, doc: &str) -> Result<Vec<Token>> {
        let mut tokens = Vec::with_capacity(doc.len() + 2);
        tokens.push(self.bos());
        self.encode_into(doc, &mut tokens)?;
        tokens.push(self.bos());
        Ok(tokens)
    }

    /// Appends the ids of the characters of `text` to `tokens`; the ids are positions in the sorted
    /// character list, found by binary search.
    fn encode_into(&self, text: &str, tokens: &mut Vec<Token>) -> Result<()> {
        for (position, ch) in text.chars().enumerate() {
            tokens.push(self.chars.binary_search(&ch).map_err(|_| Error::UnknownChar { ch, position })?);
        }
        Ok(())
    }
    // ANCHOR_END: encode

    /// The text of a sequence of ids, skipping BOS.
    ///
    /// Panics on an id above BOS: ids come from this tokenizer or from a model of the same
    /// vocabulary size, so a larger one is a bug.
    pub fn decode(&self, tokens: &[Token]) -> String {
        tokens
            .iter()
            .filter(|&&t| t != self.bos())
            .map(|&t| {
                *self.chars.get(t).unwrap_or_else(|| {
                    panic!("token id {t} is outside a vocabulary of {}", self.vocab_size())
                })
            })
            .collect()
    }
    // ANCHOR_END: workbook_ch03
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corpus_without_characters_is_an_error() {
        assert_eq!(Tokenizer::from_docs::<&str>(&[]), Err(Error::EmptyCorpus));
        assert_eq!(Tokenizer::from_docs(&["", ""]), Err(Error::EmptyCorpus));
    }

    #[test]
    fn unsorted_characters_are_rejected() {
        assert!(Tokenizer::from_chars(vec!['b', 'a']).is_err());
        assert!(Tokenizer::from_chars(vec!['a', 'a']).is_err());
    }

    #[test]
    #[should_panic(expected = "token id 9 is outside a vocabulary of 3")]
    fn decoding_an_id_beyond_bos_is_a_bug() {
        Tokenizer::from_docs(&["ab"]).unwrap().decode(&[9]);
    }
}
