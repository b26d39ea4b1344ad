//! Everything a user supplies can be wrong, and each way returns an error that names the problem
//! and the place: text with an unknown character, no documents, an impossible configuration, a bad
//! temperature, parameters that do not fit, a learning rate that makes training diverge.

use microgpt::Error;
use microgpt::engine::ScalarEngine;
use microgpt::model::{Config, Gpt};
use microgpt::optim::{AdamConfig, LearningRate};
use microgpt::rng::ChaCha;
use microgpt::sample::{Temperature, probabilities, sample};
use microgpt::tokenizer::Tokenizer;
use microgpt::train::{Prepared, TrainOptions, prepare, train};

const NAMES: [&str; 8] = ["emma", "olivia", "liam", "noah", "ava", "sophia", "james", "william"];

fn names() -> Vec<String> {
    NAMES.iter().map(|&n| n.to_owned()).collect()
}

fn prepared(seed: u64) -> Prepared {
    prepare(names(), &mut ChaCha::seed(seed), Config::reference).unwrap()
}

/// The message of an error, for asserting what the user is told.
fn message<T: std::fmt::Debug>(result: microgpt::Result<T>) -> String {
    result.unwrap_err().to_string()
}

/// Whether `t` is either rejected, or turns the logits 1, 2, 3 into a probability distribution.
fn accepted_only_if_usable(t: f64) -> bool {
    match Temperature::new(t) {
        Err(_) => true,
        Ok(t) => {
            let p = probabilities(&[1.0, 2.0, 3.0], t);
            p.iter().all(|x| x.is_finite()) && (p.iter().sum::<f64>() - 1.0).abs() < 1e-12
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_character_is_an_error_naming_it_and_its_position() {
    let tokenizer = Tokenizer::from_docs(&NAMES).unwrap();
    assert_eq!(tokenizer.encode_doc("emma!"), Err(Error::UnknownChar { ch: '!', position: 4 }));
}

#[test]
fn the_unknown_character_message_gives_the_character_its_code_point_and_position() {
    let tokenizer = Tokenizer::from_docs(&NAMES).unwrap();
    assert_eq!(
        message(tokenizer.encode_doc("emma!")),
        "unknown character '!' (U+0021) at position 4: it is not in the training vocabulary"
    );
}

#[test]
fn the_position_of_an_unknown_character_counts_characters_not_bytes() {
    // "ëx": 'x' is character 1 but starts at byte 2.
    let tokenizer = Tokenizer::from_docs(&["zoë"]).unwrap();
    assert_eq!(tokenizer.encode("ëx"), Err(Error::UnknownChar { ch: 'x', position: 1 }));
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

#[test]
fn preparing_no_documents_is_an_empty_corpus_error() {
    assert_eq!(
        prepare(Vec::<String>::new(), &mut ChaCha::seed(0), Config::reference).unwrap_err(),
        Error::EmptyCorpus
    );
}

#[test]
fn preparing_documents_without_characters_is_an_empty_corpus_error() {
    let empty = vec![String::new(), String::new()];
    assert_eq!(prepare(empty, &mut ChaCha::seed(0), Config::reference).unwrap_err(), Error::EmptyCorpus);
}

#[test]
fn training_on_no_documents_is_an_empty_corpus_error() {
    let mut model = prepared(0).model;
    let result = train(&mut model, &mut ScalarEngine::new(), &[], &TrainOptions::default(), |_| {});
    assert_eq!(result.unwrap_err(), Error::EmptyCorpus);
}

#[test]
fn the_empty_corpus_message_says_what_is_missing() {
    assert_eq!(
        message(prepare(Vec::<String>::new(), &mut ChaCha::seed(0), Config::reference)),
        "the corpus has no documents with any characters"
    );
}

// ---------------------------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------------------------

#[test]
fn a_width_that_does_not_split_into_heads_is_an_invalid_config() {
    assert_eq!(
        message(Config::new(27, 1, 10, 4, 16)),
        "invalid model configuration: n_embd (10) must be divisible by n_head (4) so every head gets \
         an equal slice"
    );
}

#[test]
fn a_zero_size_is_an_invalid_config_naming_the_size() {
    let messages = [
        message(Config::new(0, 1, 16, 4, 16)),
        message(Config::new(27, 0, 16, 4, 16)),
        message(Config::new(27, 1, 0, 4, 16)),
        message(Config::new(27, 1, 16, 0, 16)),
        message(Config::new(27, 1, 16, 4, 0)),
    ];
    assert_eq!(
        messages,
        [
            "invalid model configuration: vocab_size must be at least 1",
            "invalid model configuration: n_layer must be at least 1",
            "invalid model configuration: n_embd must be at least 1",
            "invalid model configuration: n_head must be at least 1",
            "invalid model configuration: block_size must be at least 1",
        ]
    );
}

#[test]
fn prepare_returns_the_error_of_an_invalid_config() {
    let result = prepare(names(), &mut ChaCha::seed(0), |vocab| Config::new(vocab, 1, 10, 4, 16));
    assert!(matches!(result, Err(Error::InvalidConfig(_))), "{result:?}");
}

#[test]
fn parameters_of_the_wrong_count_are_an_error_with_both_counts() {
    let result = Gpt::from_params(Config::reference(27).unwrap(), vec![0.0; 4191]);
    assert_eq!(result.unwrap_err(), Error::ParamCount { expected: 4192, found: 4191 });
    assert_eq!(
        message(Gpt::from_params(Config::reference(27).unwrap(), vec![0.0; 4193])),
        "the configuration needs 4192 parameters, found 4193"
    );
}

// ---------------------------------------------------------------------------------------------
// Temperatures
// ---------------------------------------------------------------------------------------------

#[test]
fn zero_negative_and_non_finite_temperatures_are_errors() {
    let bad = [0.0, -0.0, -0.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
    assert_eq!(
        bad.map(|t| message(Temperature::new(t))),
        [
            "invalid temperature 0: it must be a finite number greater than 0",
            "invalid temperature -0: it must be a finite number greater than 0",
            "invalid temperature -0.5: it must be a finite number greater than 0",
            "invalid temperature NaN: it must be a finite number greater than 0",
            "invalid temperature inf: it must be a finite number greater than 0",
            "invalid temperature -inf: it must be a finite number greater than 0",
        ]
    );
}

#[test]
fn every_temperature_that_is_accepted_gives_a_probability_distribution() {
    // With logits up to 3, 1e-300 and 1e-307 give [0, 0, 1]; from 1e-308 down, 3/t overflows to
    // inf, softmax computes inf - inf = NaN, and the probabilities are all NaN.
    let usable = [1e-300, 1e-307, 1e-308, 1e-310, 5e-324].map(accepted_only_if_usable);
    assert_eq!(usable, [true; 5], "usable at 1e-300, 1e-307, 1e-308, 1e-310, 5e-324");
}

// ---------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------

#[test]
fn a_diverging_learning_rate_stops_training_at_the_first_non_finite_loss() {
    // One Adam step moves every weight by about the learning rate, here 100: the next document's
    // logits are then so far apart that the target's probability underflows to 0 and its loss is
    // -ln 0 = inf.
    let mut model = prepared(0).model;
    let options = TrainOptions {
        steps: 20,
        adam: AdamConfig::default().with_learning_rate(LearningRate::new(100.0).unwrap()),
    };
    let result = train(&mut model, &mut ScalarEngine::new(), &prepared(0).docs, &options, |_| {});
    assert_eq!(
        message(result),
        "training diverged: the loss at step 2 is inf; try a lower learning rate than 100"
    );
}

#[test]
fn a_diverged_run_leaves_the_model_as_it_was_after_the_last_finite_step() {
    // The first step uses the full learning rate whatever the number of steps, so a one-step run
    // makes exactly the update that the diverging run made before it stopped.
    let adam = AdamConfig::default().with_learning_rate(LearningRate::new(100.0).unwrap());
    let docs = prepared(0).docs;
    let (mut diverged, mut one_step) = (prepared(0).model, prepared(0).model);
    let _ = train(&mut diverged, &mut ScalarEngine::new(), &docs, &TrainOptions { steps: 20, adam }, |_| {});
    train(&mut one_step, &mut ScalarEngine::new(), &docs, &TrainOptions { steps: 1, adam }, |_| {}).unwrap();
    assert_eq!(diverged, one_step);
}

#[test]
fn the_update_of_the_last_step_is_checked_too() {
    // A one-step run: the loss is measured before the update, so only the check after it can see
    // that the update sent the weights beyond any use.
    let adam = AdamConfig::default().with_learning_rate(LearningRate::new(1e308).unwrap());
    let mut model = prepared(0).model;
    let result = train(
        &mut model,
        &mut ScalarEngine::new(),
        &prepared(0).docs,
        &TrainOptions { steps: 1, adam },
        |_| {},
    );
    let Err(Error::WeightOutOfRange { step, weight, value, learning_rate }) = result else {
        panic!("{result:?}");
    };
    assert_eq!((step, learning_rate), (1, 1e308));
    assert!(weight.starts_with("wte[") && value.abs() > 1e64, "{weight} {value}");
}

#[test]
fn documents_too_short_to_learn_from_are_refused_before_training() {
    let mut model = prepared(0).model;
    let bos = model.config().vocab_size() - 1;
    let mut engine = ScalarEngine::new();
    let options = TrainOptions::default();
    let short = [vec![bos, 0, bos], vec![bos]];
    assert_eq!(
        message(train(&mut model, &mut engine, &short, &options, |_| {})),
        "document 1: 1 tokens: a document is at least [BOS, BOS]"
    );
    assert_eq!(
        message(train(&mut model, &mut engine, &[vec![]], &options, |_| {})),
        "document 0: 0 tokens: a document is at least [BOS, BOS]"
    );
}

#[test]
fn a_token_outside_the_vocabulary_is_refused_before_training() {
    let mut model = prepared(0).model;
    let vocab = model.config().vocab_size();
    let docs = [vec![vocab - 1, 2, vocab + 5, vocab - 1]];
    let mut steps = 0;
    let result = train(&mut model, &mut ScalarEngine::new(), &docs, &TrainOptions::default(), |_| steps += 1);
    assert_eq!(
        message(result),
        format!("document 0: token {} at position 2 is outside the vocabulary of {vocab}", vocab + 5)
    );
    assert_eq!(steps, 0);
}

#[test]
fn a_nan_learning_rate_and_a_beta_of_1_are_refused() {
    assert_eq!(
        message(LearningRate::new(f64::NAN)),
        "invalid learning rate NaN: it must be a finite number greater than 0"
    );
    let lr = LearningRate::new(0.01).unwrap();
    assert_eq!(
        message(AdamConfig::new(lr, 1.0, 0.99, 1e-8)),
        "invalid Adam setting: beta1 must be at least 0 and below 1, not 1"
    );
    assert_eq!(
        message(AdamConfig::new(lr, 0.85, 0.99, f64::NAN)),
        "invalid Adam setting: eps must be a finite number greater than 0, not NaN"
    );
}

#[test]
fn sampling_a_model_whose_logits_overflow_is_an_error_not_a_panic() {
    // Weights set by hand, past what loading or training would allow: queries and keys of 10²⁰⁰
    // make the first attention score infinite, and the softmax of it NaN.
    let mut model = prepared(0).model;
    let layer = model.layers()[0];
    for m in [layer.attn_wq, layer.attn_wk] {
        model.params_mut().data_mut()[m.range()].fill(1e200);
    }
    let result = sample(&model, &mut ScalarEngine::new(), Temperature::default(), &mut ChaCha::seed(0));
    assert_eq!(result, Err(Error::NonFiniteLogits { position: 0 }));
    assert_eq!(
        result.unwrap_err().to_string(),
        "the model's logits at position 0 are not finite: its weights are too large to sample from"
    );
}

#[test]
fn a_config_whose_count_overflows_is_refused_with_a_short_message() {
    assert_eq!(
        message(Config::new(usize::MAX, usize::MAX, usize::MAX, 1, usize::MAX)),
        "invalid model configuration: the model would have 7.53e58 parameters, more than the limit of 16777216 (2^24)"
    );
}
