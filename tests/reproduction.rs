//! microgpt.py, reproduced: with CPython's random stream (`PyRandom`), the crate draws the same
//! shuffle, the same initial weights and the same samples as Karpathy's script, and its losses agree
//! with the script's to the last few bits.
//!
//! The reference trajectories in `tests/data/microgpt/` were written by running microgpt.py itself
//! (see the README there). The built-in corpus is part of this repository, so its comparison always
//! runs; Karpathy's makemore names file is not (it is not ours to redistribute), so that comparison
//! runs where the file sits beside the repository, at `../shared/data/names.txt`. (The scalar
//! engine's reproduction of the built-in run is chapter 11's test, `tests/chapters/ch11_pipeline.rs`,
//! so that the reader's workbook runs it too.)

use microgpt::engine::Engine;
use microgpt::fused::FusedEngine;
use microgpt::model::Config;
use microgpt::python_random::PyRandom;
use microgpt::sample::{Temperature, sample};
use microgpt::train::{TrainOptions, prepare, train};
use std::path::Path;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/microgpt");

/// microgpt.py's reading of a corpus: `[l.strip() for l in text.strip().split('\n') if l.strip()]`.
fn python_docs(text: &str) -> Vec<&str> {
    text.trim().split('\n').map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// The losses of microgpt.py's 1000 steps, from a `step,loss,lr` file.
fn reference_losses(name: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(Path::new(DATA).join(name)).expect("the reference file is committed");
    text.lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("a loss column").parse().expect("a float"))
        .collect()
}

/// The 20 names microgpt.py printed.
fn reference_samples(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(DATA).join(name)).expect("the reference file is committed");
    text.lines().map(String::from).collect()
}

/// microgpt.py's whole run on `docs` with engine `E`: the loss of every step and 20 samples.
fn microgpt_run<E: Engine>(docs: Vec<&str>, mut engine: E) -> (Vec<f64>, Vec<String>) {
    let mut rng = PyRandom::seed(42);
    let mut run = prepare(docs, &mut rng, Config::reference).expect("a valid corpus");
    let mut losses = Vec::new();
    train(&mut run.model, &mut engine, &run.docs, &TrainOptions::default(), |r| losses.push(r.loss))
        .expect("training converges");
    let samples = (0..20)
        .map(|_| {
            run.tokenizer.decode(&sample(&run.model, &mut engine, Temperature::default(), &mut rng).unwrap())
        })
        .collect();
    (losses, samples)
}

/// The largest absolute difference between two loss curves of equal length.
fn max_difference(ours: &[f64], theirs: &[f64]) -> f64 {
    assert_eq!(ours.len(), theirs.len(), "both runs have 1000 steps");
    ours.iter().zip(theirs).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
}

/// Summation order is the only difference left: the engines add the same gradient terms in other
/// orders than microgpt.py's recursive topological sort. Measured: at most 4e-15 over 1000 steps.
const TOLERANCE: f64 = 1e-12;

fn builtin_docs() -> Vec<&'static str> {
    python_docs(include_str!("../data/names.txt"))
}

#[test]
fn fused_engine_reproduces_every_microgpt_loss_on_the_builtin_corpus() {
    let (losses, _) = microgpt_run(builtin_docs(), FusedEngine::new());
    let diff = max_difference(&losses, &reference_losses("builtin_losses.csv"));
    assert!(diff <= TOLERANCE, "largest loss difference {diff:e}");
}

#[test]
fn sampling_reproduces_microgpt_names_on_the_builtin_corpus() {
    let (_, samples) = microgpt_run(builtin_docs(), FusedEngine::new());
    assert_eq!(samples, reference_samples("builtin_samples.txt"));
}

/// Karpathy's makemore names, where they sit beside the repository.
fn makemore_text() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/names.txt");
    let text = std::fs::read_to_string(&path).ok();
    if text.is_none() {
        eprintln!(
            "skipped: {} is not present (Karpathy's makemore names; not redistributed)",
            path.display()
        );
    }
    text
}

#[test]
fn makemore_run_passes_microgpt_checkpoints_before_training() {
    let Some(text) = makemore_text() else { return };
    let docs = python_docs(&text);
    assert_eq!(docs.len(), 32_033);
    let run = prepare(docs, &mut PyRandom::seed(42), Config::reference).expect("a valid corpus");
    let first: Vec<String> = run.docs[..5].iter().map(|d| run.tokenizer.decode(d)).collect();
    assert_eq!(first, ["yuheng", "diondre", "xavien", "jori", "juanluis"]);
    assert_eq!(run.tokenizer.chars().iter().collect::<String>(), "abcdefghijklmnopqrstuvwxyz");
    assert_eq!(run.tokenizer.bos(), 26);
    assert_eq!(run.model.params().len(), 4192);
}

#[test]
fn makemore_run_reproduces_microgpt_published_output() {
    let Some(text) = makemore_text() else { return };
    let (losses, samples) = microgpt_run(python_docs(&text), FusedEngine::new());
    // microgpt.py prints `loss 3.3660` at step 1 and `loss 2.6497` at step 1000, then these names.
    assert_eq!(format!("{:.4} {:.4}", losses[0], losses[999]), "3.3660 2.6497");
    assert_eq!(samples, reference_samples("makemore_samples.txt"));
    let diff = max_difference(&losses, &reference_losses("makemore_losses.csv"));
    assert!(diff <= TOLERANCE, "largest loss difference {diff:e}");
}
