//! Sampling (chapter 9): where generation stops, what it never emits, and what temperature does.

use microgpt::engine::ScalarEngine;
use microgpt::math;
use microgpt::model::{Config, Gpt};
use microgpt::rng::ChaCha;
use microgpt::sample::{Temperature, probabilities, sample};
use microgpt::tokenizer::Token;
use std::sync::LazyLock;

/// The BOS id of a vocabulary of 27.
const BOS: Token = 26;

/// A reference-shaped model (vocabulary 27, context 16) whose logits are about 100 for `token` and
/// 0 for every other token, at every position.
///
/// Every weight is 0 except `wpe[pos][0] = 1` and `lm_head[token][0] = 25`. Then at every position
/// `x = rms_norm(e₀) ≈ 4·e₀`, attention and MLP add nothing (their weights are 0), and
/// `logits = lm_head · x` is 25 · 4 = 100 at `token` and 0 elsewhere. At temperature 0.5 every other
/// token has probability about e⁻²⁰⁰ ≈ 10⁻⁸⁷, far below the 2⁻⁵³ resolution of a uniform draw.
fn always_predicting(token: Token) -> Gpt {
    let mut model = Gpt::init(Config::reference(27).unwrap(), &mut ChaCha::seed(0));
    let (wpe, lm_head) = (model.wpe(), model.lm_head());
    let weights = model.params_mut().data_mut();
    weights.fill(0.0);
    for pos in 0..wpe.rows() {
        weights[wpe.row_range(pos).start] = 1.0;
    }
    weights[lm_head.row_range(token).start] = 25.0;
    model
}

/// 200 samples of an untrained reference model at temperature 1.
///
/// Untrained, it draws BOS with probability about 1/27 at each step, so about (26/27)¹⁶ ≈ 55% of
/// the samples run into the end of the context and the rest end with BOS: both ways of stopping
/// are exercised.
static UNTRAINED_SAMPLES: LazyLock<Vec<Vec<Token>>> = LazyLock::new(|| {
    let mut rng = ChaCha::seed(7);
    let model = Gpt::init(Config::reference(27).unwrap(), &mut rng);
    let mut engine = ScalarEngine::new();
    let t = Temperature::new(1.0).unwrap();
    (0..200).map(|_| sample(&model, &mut engine, t, &mut rng).unwrap()).collect()
});

#[test]
fn sampling_stops_at_the_first_bos_and_does_not_emit_it() {
    let model = always_predicting(BOS);
    let tokens =
        sample(&model, &mut ScalarEngine::new(), Temperature::default(), &mut ChaCha::seed(1)).unwrap();
    assert_eq!(tokens, Vec::<usize>::new());
}

#[test]
fn sampling_stops_after_block_size_tokens_when_bos_never_comes() {
    let model = always_predicting(3);
    let tokens =
        sample(&model, &mut ScalarEngine::new(), Temperature::default(), &mut ChaCha::seed(1)).unwrap();
    assert_eq!(tokens, [3; 16]);
}

#[test]
fn no_sample_of_an_untrained_model_contains_bos() {
    assert!(UNTRAINED_SAMPLES.iter().all(|s| !s.contains(&BOS)));
}

#[test]
fn the_longest_sample_of_an_untrained_model_is_exactly_block_size() {
    assert_eq!(UNTRAINED_SAMPLES.iter().map(Vec::len).max(), Some(16));
}

#[test]
fn some_samples_of_an_untrained_model_end_early_with_bos() {
    assert!(UNTRAINED_SAMPLES.iter().any(|s| s.len() < 16));
}

#[test]
fn probabilities_at_temperature_t_are_softmax_of_logits_over_t() {
    // Logits ln 1, ln 2, ln 4 give probabilities ∝ 1, 2, 4 at T = 1 and ∝ 1, 4, 16 at T = 1/2.
    // The error is a few ulps of rounding in ln, exp and the division: allow 1e-15.
    let logits = [0.0, math::ln(2.0), math::ln(4.0)];
    let at_half = probabilities(&logits, Temperature::new(0.5).unwrap());
    let want = [1.0 / 21.0, 4.0 / 21.0, 16.0 / 21.0];
    assert!(at_half.iter().zip(want).all(|(p, w)| (p - w).abs() < 1e-15), "{at_half:?} vs {want:?}");
}
