//! Chapter 10: sampling. Where generation stops, what it never emits, what temperature does, and
//! the names a seeded run writes.

use microgpt::engine::ScalarEngine;
use microgpt::math;
use microgpt::model::{Config, Gpt};
use microgpt::rng::ChaCha;
use microgpt::sample::{Temperature, probabilities, sample};
use microgpt::tokenizer::{Token, Tokenizer};
use microgpt::train::{TrainOptions, prepare, train};
use std::fmt::Write;
use std::sync::LazyLock;

/// The BOS id of a vocabulary of 27.
const BOS: Token = 26;

const NAMES: [&str; 8] = ["emma", "olivia", "liam", "noah", "ava", "sophia", "james", "william"];

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

/// microgpt.py's run: seed, prepare, train the reference model for `steps` steps, then sample
/// `n_samples` names at temperature 0.5 with the same random stream. Returns the losses and names.
fn run<S: AsRef<str>>(docs: &[S], seed: u64, steps: usize, n_samples: usize) -> (Vec<f64>, Vec<String>) {
    let mut rng = ChaCha::seed(seed);
    let docs = docs.iter().map(|d| d.as_ref().to_owned()).collect();
    let mut prepared = prepare(docs, &mut rng, Config::reference).unwrap();
    let mut engine = ScalarEngine::new();
    let mut losses = Vec::new();
    let options = TrainOptions { steps, ..TrainOptions::default() };
    train(&mut prepared.model, &mut engine, &prepared.docs, &options, |r| losses.push(r.loss)).unwrap();
    let samples = (0..n_samples)
        .map(|_| {
            let tokens = sample(&prepared.model, &mut engine, Temperature::default(), &mut rng).unwrap();
            prepared.tokenizer.decode(&tokens)
        })
        .collect();
    (losses, samples)
}

// ---------------------------------------------------------------------------------------------
// Where it stops
// ---------------------------------------------------------------------------------------------

#[test]
fn sampling_stops_at_the_first_bos_and_does_not_emit_it() {
    let model = always_predicting(BOS);
    let tokens =
        sample(&model, &mut ScalarEngine::new(), Temperature::default(), &mut ChaCha::seed(1)).unwrap();
    assert_eq!(tokens, Vec::<usize>::new(), "a model that always predicts BOS writes the empty name");
}

#[test]
fn sampling_stops_after_block_size_tokens_when_bos_never_comes() {
    let model = always_predicting(3);
    let tokens =
        sample(&model, &mut ScalarEngine::new(), Temperature::default(), &mut ChaCha::seed(1)).unwrap();
    assert_eq!(tokens, [3; 16], "a model that never predicts BOS writes until the context (16) is full");
}

#[test]
fn no_sample_of_an_untrained_model_contains_bos() {
    assert!(UNTRAINED_SAMPLES.iter().all(|s| !s.contains(&BOS)), "BOS ends a sample and is not part of it");
}

#[test]
fn the_longest_sample_of_an_untrained_model_is_exactly_block_size() {
    assert_eq!(UNTRAINED_SAMPLES.iter().map(Vec::len).max(), Some(16), "the length of the longest sample");
}

#[test]
fn some_samples_of_an_untrained_model_end_early_with_bos() {
    assert!(UNTRAINED_SAMPLES.iter().any(|s| s.len() < 16), "none of 200 samples drew BOS before the end");
}

// ---------------------------------------------------------------------------------------------
// Temperature
// ---------------------------------------------------------------------------------------------

#[test]
fn probabilities_at_temperature_t_are_softmax_of_logits_over_t() {
    // Logits ln 1, ln 2, ln 4 give probabilities ∝ 1, 2, 4 at T = 1 and ∝ 1, 4, 16 at T = 1/2.
    // The error is a few ulps of rounding in ln, exp and the division: allow 1e-15.
    let logits = [0.0, math::ln(2.0), math::ln(4.0)];
    let at_half = probabilities(&logits, Temperature::new(0.5).unwrap());
    let want = [1.0 / 21.0, 4.0 / 21.0, 16.0 / 21.0];
    assert!(at_half.iter().zip(want).all(|(p, w)| (p - w).abs() < 1e-15), "{at_half:?} vs {want:?}");
}

#[test]
fn a_cold_model_writes_its_favourite_token_and_a_hot_one_spreads_out() {
    // Two models that each always favour one token, sampled at a temperature: at 0.5 the favourite
    // is all but certain; the samples of the untrained model at 1 use many tokens.
    let model = always_predicting(5);
    let cold = sample(&model, &mut ScalarEngine::new(), Temperature::new(0.5).unwrap(), &mut ChaCha::seed(2))
        .unwrap();
    assert_eq!(cold, [5; 16], "at temperature 0.5 a logit lead of 100 leaves no other choice");
    let distinct: std::collections::BTreeSet<Token> = UNTRAINED_SAMPLES.iter().flatten().copied().collect();
    assert_eq!(distinct.len(), 26, "the untrained model at temperature 1 uses every letter");
}

// ---------------------------------------------------------------------------------------------
// Seeded samples
// ---------------------------------------------------------------------------------------------

#[test]
fn the_same_seed_gives_the_same_samples() {
    let (a, b) = (run(&NAMES, 7, 50, 10), run(&NAMES, 7, 50, 10));
    assert_eq!(a.1, b.1);
}

#[test]
fn a_different_seed_gives_different_samples() {
    let (a, b) = (run(&NAMES, 7, 50, 10), run(&NAMES, 8, 50, 10));
    assert_ne!(a.1, b.1);
}

#[test]
fn seeded_run_on_the_names_corpus() {
    // microgpt.py's run, shortened: the 32,000 names, seed 42, the reference model, 300 steps,
    // then 10 names at temperature 0.5. One document's loss is noisy, so the means of the first
    // and last hundred steps are pinned too.
    let corpus = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/names.txt"));
    let docs: Vec<&str> = corpus.lines().collect();
    let (losses, samples) = run(&docs, 42, 300, 10);
    let mean = |from: usize, to: usize| losses[from - 1..to].iter().sum::<f64>() / (to - from + 1) as f64;
    let vocab_size = Tokenizer::from_docs(&docs).unwrap().vocab_size();
    let mut report = format!("{} documents, vocab_size {vocab_size}\n", docs.len());
    for step in [1, 10, 100, 200, 300] {
        writeln!(report, "step {step:>3}: loss {:.4}", losses[step - 1]).unwrap();
    }
    for (from, to) in [(1, 100), (201, 300)] {
        writeln!(report, "mean loss of steps {from}-{to}: {:.4}", mean(from, to)).unwrap();
    }
    writeln!(report, "samples at temperature 0.5:").unwrap();
    for name in &samples {
        writeln!(report, "  {name}").unwrap();
    }
    insta::assert_snapshot!(report);
}
