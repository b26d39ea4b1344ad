//! # Loss: how surprised the model is by a document
//!
//! For a document `[BOS, c₁, …, cₖ, BOS]`, the model reads the tokens one at a time and at every
//! position predicts the next one. Its loss at a position is the cross-entropy `-ln p(next)`: zero if
//! it gave the right token probability 1, growing without bound as that probability goes to 0. The
//! loss of the document is the mean over its positions. A model that knows nothing spreads its
//! probability evenly over the vocabulary and scores `ln(vocab_size)`, about 3.30 for 27 tokens: the
//! line every trained model has to get below.

use crate::engine::Engine;
use crate::model::Gpt;
use crate::tokenizer::Token;

// ANCHOR: positions
/// How many next-token predictions a document of `n_tokens` tokens (BOS included) trains:
/// `min(block_size, n_tokens - 1)`.
///
/// A document of more than `block_size + 1` tokens is cut: as in microgpt.py, the model trains on
/// its first `block_size` predictions and never sees the tokens after them.
pub fn positions(block_size: usize, n_tokens: usize) -> usize {
    block_size.min(n_tokens.saturating_sub(1))
}
// ANCHOR_END: positions

// ANCHOR: workbook_ch07
// ANCHOR: document_loss
/// The mean cross-entropy of predicting `tokens[t + 1]` from `tokens[..=t]`, over the positions of
/// one document.
///
/// Panics if `tokens` has fewer than two tokens: an encoded document is at least `[BOS, BOS]`.
pub fn document_loss<E: Engine>(model: &Gpt, e: &mut E, tokens: &[Token]) -> E::Scalar {
    let n = positions(model.config().block_size(), tokens.len());
    assert!(n > 0, "a document needs at least two tokens, got {}", tokens.len());
    let mut cache = model.kv_cache();
    let losses: Vec<E::Scalar> = (0..n)
        .map(|pos| {
            let logits = model.forward(e, tokens[pos], pos, &mut cache);
            e.cross_entropy(&logits, tokens[pos + 1])
        })
        .collect();
    e.mean(&losses)
}
// ANCHOR_END: document_loss
// ANCHOR_END: workbook_ch07
