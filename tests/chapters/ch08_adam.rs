//! Chapter 8: Adam's step, against the formula worked by hand, and what it does to a weight whose
//! gradient is steady, flipping, huge, tiny or zero.

use microgpt::optim::{Adam, AdamConfig};
use microgpt::params::{Layout, Params};
use std::sync::Arc;

fn params(values: &[f64]) -> Params {
    let mut layout = Layout::new();
    layout.push("w", 1, values.len());
    Params::new(Arc::new(layout), values.to_vec())
}

/// The weights after one `Adam::step` per gradient in `grads`, from `start`, at learning rate `lr`.
fn after_steps(start: &[f64], grads: &[&[f64]], lr: f64) -> Vec<f64> {
    let mut p = params(start);
    let mut g = p.zeros_like();
    let mut adam = Adam::new(AdamConfig::default(), &p);
    for grad in grads {
        g.data_mut().copy_from_slice(grad);
        adam.step(&mut p, &g, lr);
    }
    p.data().to_vec()
}

#[test]
fn two_steps_follow_the_formula_worked_by_hand() {
    // One weight, w = 1, gradients 0.5 then -0.25, lr 0.01, β₁ = 0.85, β₂ = 0.99, ε = 1e-8:
    //   m₁ = 0.15·0.5 = 0.075,  v₁ = 0.01·0.25 = 0.0025,  m̂ = 0.075/0.15 = 0.5,  v̂ = 0.0025/0.01 = 0.25
    //   w₁ = 1 - 0.01 · 0.5 / (√0.25 + 1e-8)
    //   m₂ = 0.85·m₁ + 0.15·(-0.25),  v₂ = 0.99·v₁ + 0.01·0.0625,  m̂ = m₂/(1 - 0.85²),  v̂ = v₂/(1 - 0.99²)
    let (b1, b2): (f64, f64) = (0.85, 0.99);
    let (m1, v1) = ((1.0 - b1) * 0.5, (1.0 - b2) * 0.25);
    let w1 = 1.0 - 0.01 * (m1 / (1.0 - b1)) / ((v1 / (1.0 - b2)).sqrt() + 1e-8);
    let (m2, v2) = (b1 * m1 + (1.0 - b1) * -0.25, b2 * v1 + (1.0 - b2) * 0.0625);
    let (m_hat, v_hat) = (m2 / (1.0 - b1 * b1), v2 / (1.0 - b2 * b2));
    let w2 = w1 - 0.01 * m_hat / (v_hat.sqrt() + 1e-8);
    let one = after_steps(&[1.0], &[&[0.5]], 0.01)[0];
    let two = after_steps(&[1.0], &[&[0.5], &[-0.25]], 0.01)[0];
    assert!((one - w1).abs() < 1e-15, "after step 1 the weight is {one}, expected {w1}");
    assert!((two - w2).abs() < 1e-15, "after step 2 the weight is {two}, expected {w2}");
}

#[test]
fn the_first_step_moves_every_weight_by_about_the_learning_rate() {
    // After one step m̂ = g and v̂ = g², so the step is lr · g / (|g| + ε) ≈ lr · sign(g): that is
    // what bias correction buys. A weight with no gradient does not move.
    let w = after_steps(&[1.0, 1.0, 1.0], &[&[1000.0, -0.001, 0.0]], 0.01);
    assert!((w[0] - 0.99).abs() < 1e-12, "gradient 1000: the weight went from 1 to {}, expected 0.99", w[0]);
    assert!((w[1] - 1.01).abs() < 1e-7, "gradient -0.001: the weight went from 1 to {}, expected 1.01", w[1]);
    assert_eq!(w[2], 1.0, "gradient 0: the weight must not move");
}

#[test]
fn a_steady_gradient_moves_a_weight_by_exactly_the_learning_rate_at_every_step() {
    let mut p = params(&[0.0]);
    let mut g = p.zeros_like();
    g.data_mut()[0] = 0.5;
    let mut adam = Adam::new(AdamConfig::default(), &p);
    for t in 1..=200 {
        let before = p.data()[0];
        adam.step(&mut p, &g, 0.01);
        let moved = (before - p.data()[0]) / 0.01;
        assert!(
            (moved - 1.0).abs() < 1e-6,
            "step {t}: a steady gradient moved the weight by {moved} lr, expected 1"
        );
    }
}

#[test]
fn a_gradient_that_flips_sign_every_step_hardly_moves_its_weight() {
    let mut p = params(&[0.0]);
    let mut g = p.zeros_like();
    let mut adam = Adam::new(AdamConfig::default(), &p);
    for t in 1..=100 {
        g.data_mut()[0] = if t % 2 == 1 { 0.5 } else { -0.5 };
        let before = p.data()[0];
        adam.step(&mut p, &g, 0.01);
        let moved = (before - p.data()[0]).abs() / 0.01;
        if t >= 20 {
            assert!(
                moved < 0.1,
                "step {t}: a flipping gradient moved the weight by {moved} lr, expected < 0.1"
            );
        }
    }
}

#[test]
fn the_steps_do_not_depend_on_the_scale_of_the_gradients() {
    let grads: [&[f64]; 3] = [&[0.3, -0.2], &[0.1, 0.4], &[-0.5, 0.2]];
    let scaled: Vec<Vec<f64>> = grads.iter().map(|g| g.iter().map(|x| x * 1000.0).collect()).collect();
    let scaled: Vec<&[f64]> = scaled.iter().map(Vec::as_slice).collect();
    let (w, w_scaled) = (after_steps(&[0.0, 0.0], &grads, 0.01), after_steps(&[0.0, 0.0], &scaled, 0.01));
    let close = w.iter().zip(&w_scaled).all(|(a, b)| (a - b).abs() < 1e-9);
    assert!(close, "gradients × 1000 moved the weights to {w_scaled:?}, the unscaled ones to {w:?}");
}

#[test]
fn repeated_steps_minimise_a_quadratic() {
    // f(w) = (w - 3)², gradient 2(w - 3).
    let mut p = params(&[0.0]);
    let mut g = p.zeros_like();
    let mut adam = Adam::new(AdamConfig::default(), &p);
    for _ in 0..2000 {
        g.data_mut()[0] = 2.0 * (p.data()[0] - 3.0);
        adam.step(&mut p, &g, 0.01);
    }
    assert!((p.data()[0] - 3.0).abs() < 1e-2, "after 2000 steps on (w - 3)², w = {}", p.data()[0]);
}

#[test]
fn steps_taken_counts_the_steps() {
    let mut p = params(&[0.0]);
    let g = p.zeros_like();
    let mut adam = Adam::new(AdamConfig::default(), &p);
    for _ in 0..3 {
        adam.step(&mut p, &g, 0.01);
    }
    assert_eq!(adam.steps_taken(), 3, "Adam's t after 3 steps: the bias corrections need it");
}

#[test]
fn without_bias_correction_the_first_step_is_one_and_a_half_learning_rates() {
    // A steady gradient g: m = (1 - β₁)·g and v = (1 - β₂)·g², so m / √v = 0.15 / 0.1 = 1.5: the
    // first steps are too long until β₁ᵗ and β₂ᵗ fade. Chapter 8's widget switches this.
    let config = AdamConfig::default().without_bias_correction();
    assert!(!config.bias_correction() && AdamConfig::default().bias_correction());
    let mut p = params(&[0.0]);
    let mut g = p.zeros_like();
    g.data_mut()[0] = 0.5;
    Adam::new(config, &p).step(&mut p, &g, 0.01);
    assert!((p.data()[0] + 0.015).abs() < 1e-8, "the weight went from 0 to {}, expected -0.015", p.data()[0]);
}
