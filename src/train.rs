//! # The training loop: forward, backward, update
//!
//! One step of training, as in microgpt.py: take the next document, run the model over it to get the
//! loss (forward), compute the gradient of that loss with respect to every parameter (backward), and
//! let Adam move every parameter a little against its gradient (update). The learning rate decays
//! linearly from its initial value to zero over the run, so the last steps only fine-tune.
//!
//! The loop is pure: it prints nothing and reports each step to an `on_step` callback, which the
//! command line turns into a progress bar and the tests into a list of losses.
//!
//! # Examples
//!
//! Fifty steps on a few names, the losses collected by the callback:
//!
//! ```
//! use microgpt::fused::FusedEngine;
//! use microgpt::model::Config;
//! use microgpt::rng::ChaCha;
//! use microgpt::train::{TrainOptions, prepare, train};
//!
//! let names = vec!["emma", "olivia", "ava", "isabella", "sophia"];
//! let mut run = prepare(names, &mut ChaCha::seed(42), Config::reference)?;
//! let options = TrainOptions { steps: 50, ..TrainOptions::default() };
//! let mut losses = Vec::new();
//! train(&mut run.model, &mut FusedEngine::new(), &run.docs, &options, |report| losses.push(report.loss))?;
//! assert_eq!(losses.len(), 50);
//! assert!(losses[45..].iter().sum::<f64>() < losses[..5].iter().sum::<f64>()); // it learnt
//! # Ok::<(), microgpt::Error>(())
//! ```

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::loss::document_loss;
use crate::model::{Config, Gpt, first_out_of_range, weight_in_range};
use crate::optim::{Adam, AdamConfig};
use crate::params::Params;
use crate::rng::RandomSource;
use crate::tokenizer::{Token, Tokenizer};

// ANCHOR: prepare
/// The data and the untrained model of a run.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The vocabulary of the documents.
    pub tokenizer: Tokenizer,
    /// The documents in training order, encoded as `[BOS, …, BOS]`.
    pub docs: Vec<Vec<Token>>,
    /// The model, freshly initialised.
    pub model: Gpt,
}

/// Everything microgpt.py does before its first step, in its order of random draws: shuffle the
/// documents once, then initialise the model whose shape `config` makes for the size of their
/// vocabulary.
pub fn prepare<S, R, F>(docs: Vec<S>, rng: &mut R, config: F) -> Result<Prepared>
where
    S: AsRef<str>,
    R: RandomSource,
    F: FnOnce(usize) -> Result<Config>,
{
    prepare_for(usize::MAX, docs, rng, config)
}

/// [`prepare`] for a run of `steps` steps, which encodes only the documents those steps train on.
///
/// Step `s` trains on document `s % docs.len()`, so a run shorter than the corpus trains on its first
/// `steps` documents in training order, and training on those alone is the same run. Everything
/// else is [`prepare`]'s: the same shuffle, vocabulary and model. (At least one document is kept,
/// so that a run of 0 steps still has a corpus.)
pub fn prepare_for<S, R, F>(steps: usize, docs: Vec<S>, rng: &mut R, config: F) -> Result<Prepared>
where
    S: AsRef<str>,
    R: RandomSource,
    F: FnOnce(usize) -> Result<Config>,
{
    // The vocabulary draws nothing, and a set of characters is the same before a shuffle as after.
    let tokenizer = Tokenizer::from_docs(&docs)?;
    prepare_with(steps, docs, tokenizer, rng, config)
}

/// [`prepare_for`] with the documents' vocabulary already known: `tokenizer` is what
/// `Tokenizer::from_docs(&docs)` would find (as [`data::builtin_tokenizer`](crate::data::builtin_tokenizer)
/// is for the built-in corpus, found when the crate was compiled). A trained-on document with a
/// character the tokenizer lacks is an error.
pub fn prepare_with<S, R, F>(
    steps: usize,
    mut docs: Vec<S>,
    tokenizer: Tokenizer,
    rng: &mut R,
    config: F,
) -> Result<Prepared>
where
    S: AsRef<str>,
    R: RandomSource,
    F: FnOnce(usize) -> Result<Config>,
{
    if docs.is_empty() {
        return Err(Error::EmptyCorpus);
    }
    rng.shuffle(&mut docs);
    let config = config(tokenizer.vocab_size())?;
    let trained_on = &docs[..docs.len().min(steps.max(1))];
    let docs = trained_on.iter().map(|d| tokenizer.encode_doc(d.as_ref())).collect::<Result<Vec<_>>>()?;
    let model = Gpt::init(config, rng);
    Ok(Prepared { tokenizer, docs, model })
}
// ANCHOR_END: prepare

// ANCHOR: TrainOptions
/// How long and how fast to train.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainOptions {
    /// The number of steps, one document each.
    pub steps: usize,
    /// The optimizer's settings; its learning rate is the one at step 0.
    pub adam: AdamConfig,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { steps: 1000, adam: AdamConfig::default() }
    }
}

/// What the loop reports after each step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// The step just taken, from 1 to `steps`.
    pub step: usize,
    /// The number of steps in the run.
    pub steps: usize,
    /// The mean loss of this step's document, before the update.
    pub loss: f64,
    /// The learning rate of this step's update.
    pub learning_rate: f64,
}
// ANCHOR_END: TrainOptions

// ANCHOR: learning_rate
/// Linear decay: `lr · (1 - step / steps)` for `step` counted from 0, so the first update uses the
/// full rate and the rate reaches zero just after the last one.
pub fn learning_rate(lr: f64, step: usize, steps: usize) -> f64 {
    lr * (1.0 - step as f64 / steps as f64)
}
// ANCHOR_END: learning_rate

// ANCHOR: Trainer
/// A run in progress: what lives from one step to the next (the optimizer's state, the gradient
/// buffer, the step count), so that a caller can take the run a few steps at a time.
#[derive(Clone, Debug)]
pub struct Trainer {
    options: TrainOptions,
    adam: Adam,
    grads: Params,
    steps_taken: usize,
}

impl Trainer {
    /// A run of `options` for `model`, before its first step.
    pub fn new(model: &Gpt, options: TrainOptions) -> Self {
        let adam = Adam::new(options.adam, model.params());
        Trainer { options, adam, grads: model.params().zeros_like(), steps_taken: 0 }
    }

    // ANCHOR: workbook_ch09
    /// Takes the next step, on document `step % docs.len()`, or returns `None` once the run has
    /// taken all its steps.
    ///
    /// Fails with [`Error::EmptyCorpus`] if there are no documents, with [`Error::InvalidDocument`]
    /// if the step's document is shorter than `[BOS, BOS]` or holds a token outside the vocabulary,
    /// with [`Error::NonFiniteLoss`] before the update of a step whose loss is NaN or infinite,
    /// leaving the model as it was after the previous step, and with [`Error::WeightOutOfRange`]
    /// after an update that leaves a weight NaN, infinite or beyond
    /// [`WEIGHT_LIMIT`](crate::model::WEIGHT_LIMIT).
    pub fn step<E: Engine>(
        &mut self,
        model: &mut Gpt,
        engine: &mut E,
        docs: &[Vec<Token>],
    ) -> Result<Option<StepReport>> {
        if docs.is_empty() {
            return Err(Error::EmptyCorpus);
        }
        let (step, steps) = (self.steps_taken, self.options.steps);
        if step == steps {
            return Ok(None);
        }
        let index = step % docs.len();
        let tokens = &docs[index];
        check_doc(index, tokens, model.config().vocab_size())?;
        engine.begin(model.params());
        let loss = document_loss(model, engine, tokens);
        let loss_value = engine.value(loss);
        if !loss_value.is_finite() {
            let learning_rate = self.options.adam.learning_rate().get();
            return Err(Error::NonFiniteLoss { step: step + 1, loss: loss_value, learning_rate });
        }
        engine.backward(loss, &mut self.grads);
        let lr = learning_rate(self.options.adam.learning_rate().get(), step, steps);
        self.adam.step(model.params_mut(), &self.grads, lr);
        self.steps_taken += 1;
        // A finite loss does not make the update finite: check the weights it wrote, the last
        // update's too.
        check_weights(model, step + 1, &self.options)?;
        Ok(Some(StepReport { step: step + 1, steps, loss: loss_value, learning_rate: lr }))
    }
    // ANCHOR_END: workbook_ch09

    /// How many steps the run has taken.
    pub fn steps_taken(&self) -> usize {
        self.steps_taken
    }

    /// The optimizer's state after the steps taken.
    pub fn adam(&self) -> &Adam {
        &self.adam
    }
}
// ANCHOR_END: Trainer

// ANCHOR: train
/// Trains `model` for `options.steps` steps, step `s` on document `s % docs.len()`.
///
/// Checks the documents first: each must hold at least two tokens (`[BOS, BOS]`), all inside the
/// model's vocabulary ([`Error::InvalidDocument`]). Stops with [`Error::NonFiniteLoss`] before the
/// update of a step whose loss is NaN or infinite, leaving the model as it was after the previous
/// step, and with [`Error::WeightOutOfRange`] after an update that leaves a weight NaN, infinite
/// or beyond [`WEIGHT_LIMIT`](crate::model::WEIGHT_LIMIT). Returns the optimizer state.
pub fn train<E: Engine>(
    model: &mut Gpt,
    engine: &mut E,
    docs: &[Vec<Token>],
    options: &TrainOptions,
    mut on_step: impl FnMut(&StepReport),
) -> Result<Adam> {
    check_docs(docs, model.config().vocab_size())?;
    let mut trainer = Trainer::new(model, *options);
    while let Some(report) = trainer.step(model, engine, docs)? {
        on_step(&report);
    }
    Ok(trainer.adam)
}
// ANCHOR_END: train

/// Checks that there is a document and that each is a sequence `train` can learn from.
fn check_docs(docs: &[Vec<Token>], vocab_size: usize) -> Result<()> {
    if docs.is_empty() {
        return Err(Error::EmptyCorpus);
    }
    docs.iter().enumerate().try_for_each(|(index, doc)| check_doc(index, doc, vocab_size))
}

/// Checks one document: at least `[BOS, BOS]`, every token inside the vocabulary.
fn check_doc(index: usize, doc: &[Token], vocab_size: usize) -> Result<()> {
    if doc.len() < 2 {
        let message = format!("{} tokens: a document is at least [BOS, BOS]", doc.len());
        return Err(Error::InvalidDocument { index, message });
    }
    if let Some(at) = doc.iter().position(|&t| t >= vocab_size) {
        let message = format!("token {} at position {at} is outside the vocabulary of {vocab_size}", doc[at]);
        return Err(Error::InvalidDocument { index, message });
    }
    Ok(())
}

/// Checks after an update that every weight is still one a model may have. One pass that the
/// compiler vectorises, then a search only when it failed.
fn check_weights(model: &Gpt, step: usize, options: &TrainOptions) -> Result<()> {
    let weights = model.params().data();
    if count_out_of_range(weights) == 0 {
        return Ok(());
    }
    let (weight, value) = first_out_of_range(model.params().layout(), weights).expect("the count found one");
    Err(Error::WeightOutOfRange { step, weight, value, learning_rate: options.adam.learning_rate().get() })
}

/// How many of `weights` are not [`weight_in_range`]. A count rather than a fold of `&`: the
/// compiler turns it into vector comparisons, four or eight weights per instruction (`multiversion`
/// picks AVX2 or AVX-512 at run time), where the fold of booleans went one weight at a time.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512vl", "x86_64+avx2"))]
fn count_out_of_range(weights: &[f64]) -> usize {
    weights.iter().map(|&w| usize::from(!weight_in_range(w))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::ChaCha;

    #[test]
    fn the_weight_check_counts_nan_infinities_and_weights_beyond_the_limit() {
        use crate::model::WEIGHT_LIMIT;
        let mut weights = vec![0.5; 37];
        assert_eq!(count_out_of_range(&weights), 0);
        weights[3] = f64::NAN;
        weights[20] = -f64::INFINITY;
        weights[36] = 2.0 * WEIGHT_LIMIT;
        weights[5] = -WEIGHT_LIMIT;
        assert_eq!(count_out_of_range(&weights), 3);
    }

    #[test]
    fn the_learning_rate_decays_linearly_to_zero() {
        assert_eq!(learning_rate(0.01, 0, 1000), 0.01);
        assert_eq!(learning_rate(0.01, 500, 1000), 0.005);
        assert!((learning_rate(0.01, 999, 1000) - 1e-5).abs() < 1e-18);
    }

    #[test]
    fn prepare_rejects_an_empty_corpus() {
        let err = prepare(Vec::<&str>::new(), &mut ChaCha::seed(0), Config::reference).unwrap_err();
        assert_eq!(err, Error::EmptyCorpus);
    }

    #[test]
    fn a_run_taken_a_few_steps_at_a_time_is_the_run_taken_at_once() {
        use crate::fused::FusedEngine;
        let docs = ["emma", "olivia", "ava", "isabella", "sophia"];
        let run = prepare(docs.to_vec(), &mut ChaCha::seed(3), Config::reference).unwrap();
        let options = TrainOptions { steps: 12, ..TrainOptions::default() };
        let (mut at_once, mut in_chunks) = (run.model.clone(), run.model.clone());
        let mut expected = Vec::new();
        train(&mut at_once, &mut FusedEngine::new(), &run.docs, &options, |r| expected.push(*r)).unwrap();

        let (mut trainer, mut engine) = (Trainer::new(&in_chunks, options), FusedEngine::new());
        let mut reports = Vec::new();
        for chunk in [5, 0, 4, 100] {
            for _ in 0..chunk {
                match trainer.step(&mut in_chunks, &mut engine, &run.docs).unwrap() {
                    Some(report) => reports.push(report),
                    None => break,
                }
            }
        }
        assert_eq!((reports, trainer.steps_taken()), (expected, 12));
        assert_eq!(in_chunks, at_once);
        assert_eq!(trainer.step(&mut in_chunks, &mut engine, &run.docs), Ok(None));
    }

    #[test]
    fn a_short_run_is_prepared_with_the_documents_it_trains_on() {
        let docs = ["ann", "bob", "cy", "dee", "eve"];
        let all = prepare(docs.to_vec(), &mut ChaCha::seed(1), Config::reference).unwrap();
        let two = prepare_for(2, docs.to_vec(), &mut ChaCha::seed(1), Config::reference).unwrap();
        let none = prepare_for(0, docs.to_vec(), &mut ChaCha::seed(1), Config::reference).unwrap();
        assert_eq!(two.docs, all.docs[..2]);
        assert_eq!(none.docs, all.docs[..1]);
        assert_eq!((two.tokenizer, two.model), (all.tokenizer, all.model));
    }

    #[test]
    fn the_builtin_corpus_with_its_compiled_vocabulary_is_prepared_as_from_its_text() {
        use crate::data::{builtin_corpus, builtin_docs, builtin_tokenizer};
        let read = prepare_for(50, builtin_docs(), &mut ChaCha::seed(42), Config::reference).unwrap();
        let compiled =
            prepare_with(50, builtin_corpus(), builtin_tokenizer(), &mut ChaCha::seed(42), Config::reference)
                .unwrap();
        assert_eq!(
            (compiled.tokenizer, compiled.docs, compiled.model),
            (read.tokenizer, read.docs, read.model)
        );
    }

    #[test]
    fn a_vocabulary_without_a_trained_on_character_is_an_error() {
        let tokenizer = Tokenizer::from_docs(&["ab"]).unwrap();
        let error = prepare_with(9, vec!["ab", "abc"], tokenizer, &mut ChaCha::seed(0), Config::reference);
        assert!(matches!(error, Err(Error::UnknownChar { .. })), "{error:?}");
    }

    #[test]
    fn prepare_encodes_every_document_between_two_bos() {
        let p = prepare(vec!["ab", "ba"], &mut ChaCha::seed(0), Config::reference).unwrap();
        assert_eq!(p.tokenizer.vocab_size(), 3);
        assert!(p.docs.iter().all(|d| d.len() == 4 && d[0] == 2 && d[3] == 2));
        assert_eq!(p.model.config().vocab_size(), 3);
    }
}
