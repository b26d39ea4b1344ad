//! # Figures: the book's pictures, drawn from seeded runs of the crate
//!
//! Every figure in the book is computed here by the crate's own code and drawn as SVG with plotters.
//! No number in them is typed by hand: the loss curve is what the training loop reported, the
//! heatmaps are the weights the trained model computed, the graph is read off a real
//! [`Tape`](microgpt::value::Tape). Every run is seeded ([`SEED`]), so the same code draws the same
//! bytes, and `figures/tests/figures.rs` redraws every figure and fails if a committed file differs:
//! a figure cannot go stale when the code changes. [`render_all`] regenerates them:
//! `cargo run --release -p microgpt-figures`.
//!
//! This crate is the book's machinery, beside the library: it depends on `microgpt` and on plotters,
//! and the library depends on neither it nor plotters.
//!
//! | file | what it shows |
//! | --- | --- |
//! | `loss.svg` | the reference run's loss at every step, its moving average, the `ln(vocab)` line of uniform guessing, and the learning-rate schedule |
//! | `attention.svg` | the trained model's attention weights, one heatmap per head, while it reads [`NAME`] |
//! | `temperature.svg` | the trained model's first-letter distribution at four temperatures |
//! | `gradcheck.svg` | backward's gradient against central differences, for every parameter |
//! | `learning_rates.svg` | the reference run repeated at five learning rates |
//! | `graph.svg` | the tape of `L = (a·b + c)·a`: values, gradients and local derivatives |
//! | `kv_cache.svg` | the KV cache filling up, one position per step, while the model reads [`NAME`] |
//! | `efficiency.svg` | the measured time of a training step on each engine, and how it grows with the model |
//! | `pipeline.svg` | the whole pipeline, corpus to sampled name, with the reference run's real sizes and numbers |
//! | `tokenizer.svg` | the first training document framed by BOS, its token ids, and the (context → target) pairs it trains |
//! | `training_step.svg` | one step of the reference run ([`TRAINING_STEP`]) as a cycle: forward, loss, backward, Adam, update |
//! | `adam_state.svg` | Adam's `m` and `v` beside a few weights and their gradients after [`ADAM_STEPS`] steps |
//! | `sampling_loop.svg` | the sampling loop and its two ways to stop, with the trained model's first sampled name |
//!
//! `efficiency.svg` is the one figure not drawn from a run: timings differ from run to run, so it draws
//! the measurements committed in `chapters/measured/bench.json` (see [`Measurements`]).
//!
//! plotters is built without font support, so no font files are needed: the SVG names `sans-serif`
//! and the viewer lays the text out. Every position is therefore chosen here, with room for a wide
//! font such as DejaVu Sans, rather than taken from plotters' rough estimate of text widths. Lines use
//! Okabe and Ito's colour-blind-safe palette and heatmaps use viridis.

mod adam_state;
mod attention;
mod efficiency;
mod gradcheck;
mod graph;
mod kv_cache;
mod learning_rates;
mod loss;
mod pipeline;
mod sampling_loop;
mod style;
mod temperature;
mod tokenizer;
mod training_step;

pub use adam_state::adam_state_svg;
pub use attention::attention_svg;
pub use efficiency::{
    FusedTiming, Machine, Measurements, Phases, REMEASURE, Reference, ScalarTiming, Scaling, ScalingRow,
    efficiency_svg, measured,
};
pub use gradcheck::gradcheck_svg;
pub use graph::graph_svg;
pub use kv_cache::kv_cache_svg;
pub use learning_rates::learning_rates_svg;
pub use loss::loss_svg;
pub use pipeline::pipeline_svg;
pub use sampling_loop::{sample_trace, sampling_loop_svg};
pub use style::thousands;
pub use temperature::temperature_svg;
pub use tokenizer::tokenizer_svg;
pub use training_step::training_step_svg;

use microgpt::data;
use microgpt::engine::Engine;
use microgpt::error::{Error, Result};
use microgpt::fused::FusedEngine;
use microgpt::loss::document_loss;
use microgpt::model::{Config, Gpt};
use microgpt::optim::Adam;
use microgpt::params::Params;
use microgpt::rng::ChaCha;
use microgpt::tokenizer::{Token, Tokenizer};
use microgpt::train::{Prepared, StepReport, TrainOptions, Trainer, prepare, train};
use std::path::{Path, PathBuf};

/// The seed of every run drawn in the book.
pub const SEED: u64 = 42;

/// The name the attention and KV-cache figures follow: short, with repeated letters and a mirror
/// image, so a reader can tell positions apart and check what each one looks at.
pub const NAME: &str = "hannah";

/// The learning rates of `learning_rates.svg`; the reference run uses 0.01.
pub const LEARNING_RATES: [f64; 5] = [0.001, 0.003, 0.01, 0.03, 0.1];

/// The temperatures of `temperature.svg`; sampling defaults to 0.5.
pub const TEMPERATURES: [f64; 4] = [0.25, 0.5, 1.0, 2.0];

/// How many steps the moving average of a loss curve spans.
pub const WINDOW: usize = 100;

/// The step of the central differences in `gradcheck.svg`: near the cube root of f64's epsilon,
/// where the truncation error (∝ h²) and the rounding error (∝ ε/h) of the difference quotient meet.
pub const GRADCHECK_STEP: f64 = 1e-5;

/// The step of the reference run that `training_step.svg` follows: halfway, where the learning rate
/// has decayed to half its start.
pub const TRAINING_STEP: usize = 500;

/// How many steps of the reference run `adam_state.svg` takes before it looks at Adam's state.
pub const ADAM_STEPS: usize = 5;

/// The file name of every figure, in the order [`render_all`] writes them.
pub const FIGURES: [&str; 13] = [
    "loss.svg",
    "attention.svg",
    "temperature.svg",
    "gradcheck.svg",
    "learning_rates.svg",
    "graph.svg",
    "kv_cache.svg",
    "efficiency.svg",
    "pipeline.svg",
    "tokenizer.svg",
    "training_step.svg",
    "adam_state.svg",
    "sampling_loop.svg",
];

// ANCHOR: render_all
/// Draws every figure and writes it into `out_dir` (created if missing) under its name in
/// [`FIGURES`]; returns the paths written, in that order.
pub fn render_all(out_dir: &Path) -> Result<Vec<PathBuf>> {
    let io_error = |path: &Path, e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    // Before the runs, so that a directory that cannot be made fails at once.
    std::fs::create_dir_all(out_dir).map_err(|e| io_error(out_dir, e))?;
    let run = reference_run()?;
    let figures = [
        loss_svg(&run),
        attention_svg(&run)?,
        temperature_svg(&run),
        gradcheck_svg(&run)?,
        learning_rates_svg()?,
        graph_svg(),
        kv_cache_svg(&run)?,
        efficiency_svg(&measured()),
        pipeline_svg(&run)?,
        tokenizer_svg()?,
        training_step_svg(&trace_step(TRAINING_STEP)?),
        adam_state_svg(&trace_step(ADAM_STEPS)?),
        sampling_loop_svg(&run)?,
    ];
    FIGURES
        .iter()
        .zip(figures)
        .map(|(name, svg)| {
            let path = out_dir.join(name);
            std::fs::write(&path, svg).map_err(|e| io_error(&path, e))?;
            Ok(path)
        })
        .collect()
}
// ANCHOR_END: render_all

// ANCHOR: Run
/// A seeded training run on the built-in corpus: the data, the trained model, and every report.
#[derive(Clone, Debug)]
pub struct Run {
    /// The vocabulary of the corpus.
    pub tokenizer: Tokenizer,
    /// The model after the last step.
    pub model: Gpt,
    /// What the training loop reported after each step.
    pub steps: Vec<StepReport>,
}

/// The reference run: microgpt.py's model and optimizer, 1000 steps from [`SEED`].
pub fn reference_run() -> Result<Run> {
    run(&TrainOptions::default())
}

/// Trains the reference configuration from [`SEED`] with `options`.
fn run(options: &TrainOptions) -> Result<Run> {
    let Prepared { tokenizer, docs, mut model } = prepared()?;
    let mut steps = Vec::with_capacity(options.steps);
    train(&mut model, &mut FusedEngine::new(), &docs, options, |report| steps.push(*report))?;
    Ok(Run { tokenizer, model, steps })
}
// ANCHOR_END: Run

/// The reference run before its first step: the built-in corpus shuffled from [`SEED`], its
/// vocabulary, and the untrained model.
pub fn prepared() -> Result<Prepared> {
    prepare(data::builtin_docs(), &mut ChaCha::seed(SEED), Config::reference)
}

/// The random generator of the reference run as [`prepared`] leaves it, after the shuffle and the
/// initial weights: the one chapter 1 goes on to sample with, as microgpt.py samples with the
/// generator that shuffled and initialised.
pub fn generator_after_prepare() -> Result<ChaCha> {
    let mut rng = ChaCha::seed(SEED);
    prepare(data::builtin_docs(), &mut rng, Config::reference)?;
    Ok(rng)
}

/// One step of the reference run seen from inside: the weights before it, the gradient it
/// computed, and the weights and Adam's state after it.
#[derive(Clone, Debug)]
pub struct Traced {
    /// The vocabulary of the corpus.
    pub tokenizer: Tokenizer,
    /// The shape of the model.
    pub config: Config,
    /// The document of the step, encoded as `[BOS, …, BOS]`.
    pub doc: Vec<Token>,
    /// What the training loop reported after the step.
    pub report: StepReport,
    /// The weights before the step's update.
    pub before: Params,
    /// The gradient of the step's loss with respect to every weight.
    pub grads: Params,
    /// The weights after the step's update.
    pub after: Params,
    /// Adam's state after the step.
    pub adam: Adam,
}

/// Takes the reference run's first `step` steps (counted from 1) with the crate's own
/// [`Trainer`], and returns the last of them seen from inside.
///
/// The trainer keeps its gradient buffer to itself, so the gradient is computed again, from the same
/// weights and document on the same engine, and its loss is checked against the one the trainer
/// reports.
pub fn trace_step(step: usize) -> Result<Traced> {
    assert!(step >= 1, "steps are counted from 1");
    let Prepared { tokenizer, docs, mut model } = prepared()?;
    let mut trainer = Trainer::new(&model, TrainOptions::default());
    let mut engine = FusedEngine::new();
    for _ in 1..step {
        trainer.step(&mut model, &mut engine, &docs)?;
    }
    let doc = docs[(step - 1) % docs.len()].clone();
    let before = model.params().clone();
    let mut grads = before.zeros_like();
    engine.begin(model.params());
    let loss = document_loss(&model, &mut engine, &doc);
    let loss_value = engine.value(loss);
    engine.backward(loss, &mut grads);
    let report = trainer.step(&mut model, &mut engine, &docs)?.expect("the step is within the run");
    assert_eq!(report.loss, loss_value, "the trainer's loss is the one recomputed");
    Ok(Traced {
        tokenizer,
        config: *model.config(),
        doc,
        report,
        before,
        grads,
        after: model.params().clone(),
        adam: trainer.adam().clone(),
    })
}

/// At every step, the mean of the last `window` values (of all values so far, for the first steps).
pub fn moving_average(xs: &[f64], window: usize) -> Vec<f64> {
    (0..xs.len())
        .map(|i| {
            let recent = &xs[(i + 1).saturating_sub(window)..=i];
            recent.iter().sum::<f64>() / recent.len() as f64
        })
        .collect()
}

/// `[BOS, c₁, …, cₖ]`: a name as the model reads it before it predicts the end.
fn read_tokens(tokenizer: &Tokenizer, name: &str) -> Result<Vec<Token>> {
    let mut tokens = vec![tokenizer.bos()];
    tokens.extend(tokenizer.encode(name)?);
    Ok(tokens)
}

/// How a token is labelled on an axis.
fn token_label(tokenizer: &Tokenizer, token: Token) -> String {
    if token == tokenizer.bos() { "BOS".into() } else { tokenizer.decode(&[token]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moving_average_is_the_mean_of_the_last_window_values() {
        assert_eq!(moving_average(&[4.0, 2.0, 6.0, 0.0], 2), [4.0, 3.0, 4.0, 3.0]);
    }
}
