//! Chapter 11: the whole pipeline at once. The reference run, every piece of it on the scalar tape,
//! against the run the book shows (`microgpt run` with its defaults), and the same pipeline with
//! Python's random numbers against microgpt.py's own run.

use microgpt::data::builtin_docs;
use microgpt::engine::ScalarEngine;
use microgpt::model::Config;
use microgpt::python_random::PyRandom;
use microgpt::rng::{ChaCha, RandomSource};
use microgpt::sample::{Temperature, sample};
use microgpt::train::{TrainOptions, prepare, train};
use std::path::Path;

/// Summation order is the only freedom the pipeline leaves: the same sums added in another order
/// differ in their last bits, and those differences do not grow over training (the two engines of
/// chapter 14 differ by at most 6.4e-16 over 1000 steps). So two correct pipelines agree this well.
const TOLERANCE: f64 = 1e-12;

/// The loss of every step of the reference run of `docs`, and the 20 names sampled after it at the
/// default temperature, on the scalar tape, with all random draws from `rng`.
fn reference_run<R: RandomSource>(docs: Vec<&str>, rng: &mut R) -> (Vec<f64>, Vec<String>) {
    let mut run = prepare(docs, rng, Config::reference).expect("a valid corpus");
    let mut engine = ScalarEngine::new();
    let mut losses = Vec::new();
    train(&mut run.model, &mut engine, &run.docs, &TrainOptions::default(), |r| losses.push(r.loss))
        .expect("the reference run trains");
    let names = (0..20)
        .map(|_| run.tokenizer.decode(&sample(&run.model, &mut engine, Temperature::default(), rng).unwrap()))
        .collect();
    (losses, names)
}

/// The lines of a committed file under `tests/data/`.
fn lines(file: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(String::from).collect()
}

/// The second column of a CSV file with a header: the loss of every step.
fn losses_column(file: &str) -> Vec<f64> {
    lines(file)
        .iter()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("a loss column").parse().expect("a float"))
        .collect()
}

/// Asserts that two loss curves agree to within `TOLERANCE` at every step, naming the first step
/// that does not.
#[track_caller]
fn assert_same_curve(what: &str, ours: &[f64], theirs: &[f64]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: the number of steps");
    if let Some(i) = (0..ours.len()).find(|&i| (ours[i] - theirs[i]).abs() > TOLERANCE) {
        panic!(
            "{what}: the loss at step {} is {}, expected {} (off by {:e})",
            i + 1,
            ours[i],
            theirs[i],
            (ours[i] - theirs[i]).abs()
        );
    }
}

#[test]
fn the_reference_run_trains_to_the_losses_and_names_the_book_shows() {
    // `microgpt run`: the built-in names, seed 42, 1000 steps, then 20 names at temperature 0.5.
    // tests/data/one_page/ records the crate's run, which ends at loss 1.7780 and writes shalin,
    // coredi, bran, …
    let (losses, names) = reference_run(builtin_docs(), &mut ChaCha::seed(42));
    assert_eq!(format!("{:.4}", losses[999]), "1.7780", "the loss of step 1000");
    assert_same_curve("the reference run", &losses, &losses_column("one_page/losses.csv"));
    assert_eq!(names, lines("one_page/names.txt"), "the 20 names sampled after training");
}

#[test]
fn with_pythons_random_numbers_the_pipeline_is_microgpt_py() {
    // The same pipeline drawing from CPython's Mersenne Twister (chapter 13) on the same corpus, as
    // microgpt.py reads it, against the losses and names microgpt.py itself printed.
    let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/names.txt"));
    let docs: Vec<&str> = text.trim().split('\n').map(str::trim).filter(|l| !l.is_empty()).collect();
    let (losses, names) = reference_run(docs, &mut PyRandom::seed(42));
    assert_same_curve("microgpt.py's run", &losses, &losses_column("microgpt/builtin_losses.csv"));
    assert_eq!(names, lines("microgpt/builtin_samples.txt"), "the 20 names microgpt.py printed");
}
