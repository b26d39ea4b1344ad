//! The fused engine computes what the scalar tape computes: the same losses bit for bit (its forward
//! pass adds in the same order) and the same gradients up to the order in which terms are summed;
//! and its gradients pass the finite-difference check the scalar tape passes in chapter 7's tests.

#[path = "chapters/gradcheck.rs"]
mod gradcheck;

use microgpt::engine::{Engine, ScalarEngine};
use microgpt::fused::FusedEngine;
use microgpt::loss::document_loss;
use microgpt::model::{Config, Gpt};
use microgpt::params::Params;
use microgpt::rng::ChaCha;
use microgpt::tokenizer::Token;
use microgpt::train::{Prepared, TrainOptions, prepare, train};

fn reference_run() -> Prepared {
    let names: Vec<&str> = include_str!("../data/names.txt").lines().collect();
    prepare(names, &mut ChaCha::seed(42), Config::reference).expect("the built-in corpus is valid")
}

/// The loss of `doc` and its gradient with respect to every parameter.
fn loss_and_gradient<E: Engine>(mut engine: E, model: &Gpt, doc: &[Token]) -> (f64, Params) {
    engine.begin(model.params());
    let loss = document_loss(model, &mut engine, doc);
    let mut grads = model.params().zeros_like();
    engine.backward(loss, &mut grads);
    (engine.value(loss), grads)
}

/// `max |a - b| / max |a|` over all parameters: the gradients' difference relative to their size.
fn relative_difference(a: &Params, b: &Params) -> f64 {
    let largest = a.data().iter().fold(0.0f64, |m, g| m.max(g.abs()));
    let diff = a.data().iter().zip(b.data()).fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    diff / largest
}

/// Trains a copy of the reference model with the scalar tape for `steps` steps.
fn trained(run: &Prepared, steps: usize) -> Gpt {
    let mut model = run.model.clone();
    let options = TrainOptions { steps, ..TrainOptions::default() };
    train(&mut model, &mut ScalarEngine::new(), &run.docs, &options, |_| {}).expect("training converges");
    model
}

#[test]
fn engines_agree_on_loss_and_gradient_of_the_reference_model_at_several_steps() {
    let run = reference_run();
    for steps in [0, 10, 100, 500] {
        let model = trained(&run, steps);
        for doc in &run.docs[steps..steps + 5] {
            let (scalar_loss, scalar_grads) = loss_and_gradient(ScalarEngine::new(), &model, doc);
            let (fused_loss, fused_grads) = loss_and_gradient(FusedEngine::new(), &model, doc);
            assert_eq!(scalar_loss, fused_loss, "loss after {steps} steps");
            // Summing the same terms in another order changes the last bits: about 1e-16 relative.
            let diff = relative_difference(&scalar_grads, &fused_grads);
            assert!(diff <= 1e-12, "gradients after {steps} steps differ by {diff:e} relative");
        }
    }
}

/// The loss of every step of the reference run on `engine`.
fn loss_curve<E: Engine>(run: &Prepared, mut engine: E) -> Vec<f64> {
    let mut model = run.model.clone();
    let mut losses = Vec::new();
    train(&mut model, &mut engine, &run.docs, &TrainOptions::default(), |r| losses.push(r.loss))
        .expect("training converges");
    losses
}

#[test]
fn engines_train_the_same_loss_curve_to_within_rounding() {
    let run = reference_run();
    let scalar = loss_curve(&run, ScalarEngine::new());
    let fused = loss_curve(&run, FusedEngine::new());
    assert_eq!(scalar[0], fused[0], "the first step sees identical weights");
    let worst = scalar.iter().zip(&fused).map(|(s, f)| ((s - f) / s).abs()).fold(0.0, f64::max);
    // Measured: 6.4e-16. Rounding differences do not grow over 1000 steps of training.
    assert!(worst <= 1e-12, "losses differ by up to {worst:e} relative");
}

#[test]
fn fused_engine_gradient_matches_central_differences_for_all_1696_parameters() {
    let agreement = gradcheck::check_model(FusedEngine::new(), &gradcheck::check_point(), &gradcheck::DOC);
    assert!(agreement.holds(), "{agreement}");
}
