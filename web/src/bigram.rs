//! Chapter 11's widget: the letter-pair (bigram) baseline beside the trained model. Chapter 11
//! counts the pairs in a doctest; this is the same count, for the documents a run trained on, so
//! that the page can show, for a prefix the reader types, what a model that sees only the last
//! character predicts next.

use crate::Run;
use microgpt::tokenizer::Tokenizer;
use wasm_bindgen::prelude::wasm_bindgen;

/// Every count starts here instead of at 0, as in chapter 11, so that no pair the training names
/// happened to miss gets probability 0.
pub const PRIOR_COUNT: f64 = 0.5;

/// The probability of each token given the one before it, counted in the documents a run trained on.
#[wasm_bindgen]
pub struct Bigram {
    tokenizer: Tokenizer,
    /// `table[previous][next]`; each row sums to 1.
    table: Vec<Vec<f64>>,
}

#[wasm_bindgen]
impl Bigram {
    /// The pairs of the documents that `microgpt run --seed SEED --steps STEPS` trains on, in the
    /// order it takes them, on the reader's `words` or (for `None`) the built-in names.
    #[wasm_bindgen(constructor)]
    pub fn new(words: Option<String>, seed: &str, steps: &str) -> Result<Bigram, String> {
        let run = Run::new(words, seed, steps, "0.01")?;
        let vocab = run.tokenizer.vocab_size();
        let mut counts = vec![vec![PRIOR_COUNT; vocab]; vocab];
        let trained_on = run.docs.iter().cycle().take(run.steps());
        for pair in trained_on.flat_map(|doc| doc.windows(2)) {
            counts[pair[0]][pair[1]] += 1.0;
        }
        let table =
            counts.iter().map(|row| row.iter().map(|c| c / row.iter().sum::<f64>()).collect()).collect();
        Ok(Bigram { tokenizer: run.tokenizer, table })
    }

    /// The probability of every token (the characters, then BOS) after the last token of BOS and
    /// `prefix`: the table's row for the last character, or for BOS if `prefix` is empty.
    #[wasm_bindgen(js_name = nextProbabilities)]
    pub fn next_probabilities(&self, prefix: &str) -> Result<Vec<f64>, String> {
        let tokens = self.tokenizer.encode(prefix).map_err(|e| e.to_string())?;
        Ok(self.table[tokens.last().copied().unwrap_or(self.tokenizer.bos())].clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use microgpt::math;

    #[test]
    fn the_reference_runs_pairs_score_chapter_11s_loss_on_the_unseen_names() {
        // Chapter 11: "letter pairs, counted in 1,000 names" scores 2.4707 on the last 1,000 names.
        let bigram = Bigram::new(None, "42", "1000").unwrap();
        let run = Run::new(None, "42", "0", "0.01").unwrap();
        let unseen = &run.docs[31_000..];
        let doc_loss = |doc: &Vec<usize>| {
            let surprises: f64 = doc.windows(2).map(|w| -math::ln(bigram.table[w[0]][w[1]])).sum();
            surprises / (doc.len() - 1) as f64
        };
        let loss = unseen.iter().map(doc_loss).sum::<f64>() / unseen.len() as f64;
        assert_eq!(format!("{loss:.4}"), "2.4707");
    }

    #[test]
    fn the_prediction_depends_on_the_last_character_only() {
        let bigram = Bigram::new(None, "42", "1000").unwrap();
        let after_m = bigram.next_probabilities("m").unwrap();
        assert_eq!(bigram.next_probabilities("emm").unwrap(), after_m);
        assert!((after_m.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_ne!(bigram.next_probabilities("").unwrap(), after_m);
        assert_eq!(
            bigram.next_probabilities("Em").unwrap_err(),
            "unknown character 'E' (U+0045) at position 0: it is not in the training vocabulary"
        );
    }
}
