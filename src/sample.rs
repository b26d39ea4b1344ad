//! # Sampling: letting the model write
//!
//! A trained model gives, for any prefix, a probability for every possible next token. To generate,
//! start from BOS, draw a token from those probabilities, feed it back in, and repeat until the model
//! draws BOS (the name is finished) or the context is full. The KV cache carries the prefix, so each
//! new token costs one forward pass.
//!
//! Temperature reshapes the distribution before drawing: logits are divided by `T`, so `T < 1`
//! sharpens it (likelier tokens become likelier still: safer, more common names) and `T > 1` flattens
//! it (more surprising names, and more misspellings).
//!
//! # Examples
//!
//! Three names from an untrained model: letters drawn almost uniformly, so not names yet.
//!
//! ```
//! use microgpt::fused::FusedEngine;
//! use microgpt::model::{Config, Gpt};
//! use microgpt::rng::ChaCha;
//! use microgpt::sample::{Temperature, sample};
//! use microgpt::tokenizer::Tokenizer;
//!
//! let tokenizer = Tokenizer::from_docs(&["abcdefghijklmnopqrstuvwxyz"])?;
//! let mut rng = ChaCha::seed(42);
//! let model = Gpt::init(Config::reference(tokenizer.vocab_size())?, &mut rng);
//! let mut engine = FusedEngine::new();
//! for _ in 0..3 {
//!     let tokens = sample(&model, &mut engine, Temperature::new(1.0)?, &mut rng)?;
//!     assert!(tokens.len() <= model.config().block_size()); // BOS ends a name, or the context does
//!     println!("{}", tokenizer.decode(&tokens));
//! }
//! # Ok::<(), microgpt::Error>(())
//! ```

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::math::softmax_in_place;
use crate::model::Gpt;
use crate::rng::RandomSource;
use crate::tokenizer::{Token, bos_id};

// ANCHOR: Temperature
/// A sampling temperature: a finite number greater than 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Temperature(f64);

impl Temperature {
    /// Checks that `t` is finite and positive.
    pub fn new(t: f64) -> Result<Self> {
        if t.is_finite() && t > 0.0 { Ok(Temperature(t)) } else { Err(Error::InvalidTemperature(t)) }
    }

    /// The temperature as a number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for Temperature {
    /// microgpt.py's 0.5: noticeably more conservative than the model's raw distribution.
    fn default() -> Self {
        Temperature(0.5)
    }
}
// ANCHOR_END: Temperature

// ANCHOR: probabilities
/// The next-token distribution at temperature `t`: `softmax(logits / t)`.
///
/// For a temperature so small that `logit / t` overflows, the result is the limit as `t → 0`: all
/// probability on the largest logit (the first, if several tie).
///
/// Panics if a logit is not finite: [`sample`] checks the model's logits before it calls this.
pub fn probabilities(logits: &[f64], t: Temperature) -> Vec<f64> {
    assert!(logits.iter().all(|l| l.is_finite()), "probabilities of non-finite logits {logits:?}");
    let inv_t = 1.0 / t.get();
    let mut scaled: Vec<f64> = logits.iter().map(|&l| l * inv_t).collect();
    if scaled.iter().all(|s| s.is_finite()) {
        softmax_in_place(&mut scaled);
        return scaled;
    }
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let argmax = logits.iter().position(|&l| l == max).expect("logits are not empty");
    (0..logits.len()).map(|i| if i == argmax { 1.0 } else { 0.0 }).collect()
}
// ANCHOR_END: probabilities

// ANCHOR: workbook_ch10
// ANCHOR: sample
/// Generates one document: the tokens the model draws after BOS, up to (not including) the BOS that
/// ends it, and at most `block_size` of them.
///
/// Fails with [`Error::NonFiniteLogits`] if the model's weights are so large that its logits
/// overflow; a model loaded from a checkpoint or trained by [`train`](crate::train::train) has
/// weights within [`WEIGHT_LIMIT`](crate::model::WEIGHT_LIMIT), which rules that out.
pub fn sample<E: Engine, R: RandomSource>(
    model: &Gpt,
    engine: &mut E,
    t: Temperature,
    rng: &mut R,
) -> Result<Vec<Token>> {
    let bos = bos_id(model.config().vocab_size());
    engine.begin(model.params());
    let mut cache = model.kv_cache();
    let mut token = bos;
    let mut out = Vec::new();
    for pos in 0..model.config().block_size() {
        let logits = model.forward(engine, token, pos, &mut cache);
        let logits = engine.values(&logits);
        if !logits.iter().all(|l| l.is_finite()) {
            return Err(Error::NonFiniteLogits { position: pos });
        }
        token = rng.choice(&probabilities(&logits, t));
        if token == bos {
            break;
        }
        out.push(token);
    }
    Ok(out)
}
// ANCHOR_END: sample
// ANCHOR_END: workbook_ch10

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_must_be_finite_and_positive() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(Temperature::new(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(Temperature::new(0.7).map(Temperature::get), Ok(0.7));
        assert_eq!(
            Temperature::new(0.0).unwrap_err().to_string(),
            "invalid temperature 0: it must be a finite number greater than 0"
        );
    }

    #[test]
    fn a_vanishing_temperature_puts_all_probability_on_the_largest_logit() {
        let p = probabilities(&[1.0, 3.0, 2.0, 3.0], Temperature::new(1e-308).unwrap());
        assert_eq!(p, [0.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    #[should_panic(expected = "probabilities of non-finite logits")]
    fn probabilities_of_non_finite_logits_are_a_bug() {
        probabilities(&[1.0, f64::NAN], Temperature::default());
    }

    #[test]
    fn low_temperature_sharpens_and_high_temperature_flattens() {
        let logits = [2.0, 1.0, 0.0];
        let cold = probabilities(&logits, Temperature::new(0.25).unwrap());
        let warm = probabilities(&logits, Temperature::new(1.0).unwrap());
        let hot = probabilities(&logits, Temperature::new(10.0).unwrap());
        assert!(cold[0] > warm[0] && warm[0] > hot[0]);
        assert!(hot[0] - hot[2] < 0.1, "at T = 10 the distribution is nearly flat: {hot:?}");
    }
}
