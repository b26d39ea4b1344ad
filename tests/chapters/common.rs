//! What several chapters' tests build their inputs from.

use microgpt::model::{Config, Gpt};
use microgpt::rng::ChaCha;
use microgpt::tokenizer::{Token, Tokenizer};
use microgpt::value::{Tape, Var};

/// One leaf on `tape` per value of `xs`.
pub fn leaves(tape: &mut Tape, xs: &[f64]) -> Vec<Var> {
    xs.iter().map(|&x| tape.leaf(x)).collect()
}

/// The reference model (vocabulary a–z plus BOS) with seeded weights.
pub fn reference_model() -> Gpt {
    Gpt::init(Config::reference(27).unwrap(), &mut ChaCha::seed(42))
}

/// `[BOS, c₁, …, cₖ, BOS]` in the a–z vocabulary, where BOS = 26.
pub fn doc(text: &str) -> Vec<Token> {
    Tokenizer::from_docs(&["abcdefghijklmnopqrstuvwxyz"]).unwrap().encode_doc(text).unwrap()
}
