//! Finite-difference gradient checks: a derivative `backward` computes, against the slope of the
//! forward computation measured by central differences (chapters 2, 4, 6 and 7).
//!
//! # Tolerance
//!
//! The central difference `(f(x + h) - f(x - h)) / 2h` differs from f'(x) by a truncation error
//! `h²/6 · f'''(ξ)` and a rounding error of about `ε·|f| / h`, where ε ≈ 2.2·10⁻¹⁶ is the relative
//! rounding of a computed f. With h = 10⁻⁵ (near the optimum ε^⅓ ≈ 6·10⁻⁶) and |f|, |f'''| of order
//! 1 to 10, both are of order 10⁻¹⁰. Each check allows
//!
//! ```text
//! |analytic - numeric| <= 1e-8 + 1e-6 · |analytic|
//! ```
//!
//! which leaves a factor of about 100 over that estimate, and still demands six significant digits
//! of any gradient larger than 10⁻². A wrong local derivative (a dropped factor, a flipped sign, a
//! missed fan-out) is off by the order of the gradient itself and fails by a factor of 10⁴ or more.
//!
//! Vector functions (softmax, rms_norm, linear, attention) are checked through a fixed weighted sum
//! of their outputs with distinct weights, so every entry of the Jacobian contributes. (A plain sum
//! would not do: the outputs of softmax always sum to 1, so its gradient would be zero whatever
//! `backward` computed.)
//!
//! A failed check says which function, which input, what `backward` gave and what the finite
//! difference measured, so that the message points at the local derivative to fix.
#![allow(dead_code)] // each user takes the helpers it needs

use microgpt::engine::Engine;
use microgpt::loss::document_loss;
use microgpt::model::{Config, Gpt};
use microgpt::rng::{ChaCha, RandomSource};
use microgpt::tokenizer::Token;
use microgpt::value::{Tape, Var};
use std::fmt;

/// The step of the central differences.
pub const H: f64 = 1e-5;
/// The absolute part of the tolerance (see the module docs).
pub const ABS_TOL: f64 = 1e-8;
/// The relative part of the tolerance (see the module docs).
pub const REL_TOL: f64 = 1e-6;

/// Analytic and numerical gradients of one function, entry by entry.
pub struct Agreement {
    /// What was differentiated, in the words of the chapter: "`a · b`", "softmax".
    pub what: String,
    /// The name and value of each input, as the message shows them: ("a", 0.7).
    pub inputs: Vec<(String, f64)>,
    pub analytic: Vec<f64>,
    pub numeric: Vec<f64>,
}

impl Agreement {
    fn error(&self, i: usize) -> f64 {
        (self.analytic[i] - self.numeric[i]).abs()
    }

    fn within_tolerance(&self, i: usize) -> bool {
        self.error(i) <= ABS_TOL + REL_TOL * self.analytic[i].abs()
    }

    /// Whether every entry is within tolerance.
    pub fn holds(&self) -> bool {
        (0..self.analytic.len()).all(|i| self.within_tolerance(i))
    }
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outside: Vec<usize> = (0..self.analytic.len()).filter(|&i| !self.within_tolerance(i)).collect();
        writeln!(
            f,
            "backward's gradient of {} disagrees with the finite-difference estimate \
             (f(x + h) - f(x - h)) / 2h, h = {H:e}, for {} of its {} inputs:",
            self.what,
            outside.len(),
            self.analytic.len()
        )?;
        for &i in outside.iter().take(6) {
            let (name, value) = &self.inputs[i];
            writeln!(
                f,
                "  ∂/∂{name} at {name} = {value}: backward gives {}, the estimate is {} (off by {:.3e})",
                self.analytic[i],
                self.numeric[i],
                self.error(i)
            )?;
        }
        if outside.len() > 6 {
            writeln!(f, "  … and {} more", outside.len() - 6)?;
        }
        write!(f, "(allowed: |backward - estimate| <= {ABS_TOL:e} + {REL_TOL:e}·|backward|)")
    }
}

/// `∂f/∂xᵢ ≈ (f(x + h·eᵢ) - f(x - h·eᵢ)) / 2h` for every i.
///
/// Divides by the step actually taken, `(xᵢ + h) - (xᵢ - h)` in floating point, not by `2h`: the
/// two sums round, and the rounded points are the ones `f` saw.
pub fn central_differences(x: &[f64], mut f: impl FnMut(Vec<f64>) -> f64) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let (mut plus, mut minus) = (x.to_vec(), x.to_vec());
            plus[i] += H;
            minus[i] -= H;
            let step = plus[i] - minus[i];
            (f(plus) - f(minus)) / step
        })
        .collect()
}

/// Inputs named `x[0]`, `x[1]`, … (or with another name), for a function of a vector.
pub fn vector(name: &str, xs: &[f64]) -> Vec<(String, f64)> {
    xs.iter().enumerate().map(|(i, &x)| (format!("{name}[{i}]"), x)).collect()
}

/// Inputs with names of their own: `[("a", 0.7), ("b", -1.9)]`.
pub fn named(xs: &[(&str, f64)]) -> Vec<(String, f64)> {
    xs.iter().map(|&(name, x)| (name.to_string(), x)).collect()
}

/// Runs `f` on a tape whose leaves are the `inputs` and compares `backward` with central
/// differences.
pub fn check_on_tape(
    what: &str,
    inputs: Vec<(String, f64)>,
    f: impl Fn(&mut Tape, &[Var]) -> Var,
) -> Agreement {
    let x: Vec<f64> = inputs.iter().map(|&(_, x)| x).collect();
    let mut tape = Tape::new();
    let leaves: Vec<Var> = x.iter().map(|&xi| tape.leaf(xi)).collect();
    let root = f(&mut tape, &leaves);
    let grads = tape.backward(root);
    let analytic = leaves.iter().map(|&v| grads[v]).collect();
    let numeric = central_differences(&x, |x| {
        let mut tape = Tape::new();
        let leaves: Vec<Var> = x.iter().map(|&xi| tape.leaf(xi)).collect();
        let root = f(&mut tape, &leaves);
        tape.value(root)
    });
    Agreement { what: what.to_string(), inputs, analytic, numeric }
}

/// `Σ cᵢ yᵢ` with fixed, distinct weights `cᵢ`: a scalar that depends on every output.
pub fn weighted_sum(tape: &mut Tape, ys: &[Var]) -> Var {
    const WEIGHTS: [f64; 8] = [0.9, -1.3, 0.4, 2.1, -0.6, 1.7, -2.2, 0.3];
    let weights: Vec<Var> = (0..ys.len()).map(|i| tape.leaf(WEIGHTS[i % WEIGHTS.len()])).collect();
    tape.dot(ys, &weights)
}

// ---------------------------------------------------------------------------------------------
// The whole model (chapter 7, and the fused engine of chapter 14)
// ---------------------------------------------------------------------------------------------

/// The document of the full-model check, for a vocabulary of 5 characters and BOS = 5.
///
/// Nine tokens make eight predictions, one per position of the context: every row of `wpe` and,
/// since every token is read at least once, every row of `wte` takes part, and attention runs over
/// one to eight cached positions.
pub const DOC: [Token; 9] = [5, 0, 1, 2, 3, 4, 2, 0, 5];

/// Vocabulary 6, 2 layers, n_embd 8 in 2 heads, context 8: (2·6 + 8)·8 + 2·12·8² = 1,696 parameters.
pub fn small_config() -> Config {
    Config::new(6, 2, 8, 2, 8).unwrap()
}

/// The model the full-model check runs at: `Gpt::init`, then every weight moved by N(0, 0.2²).
///
/// At init the logits are near zero and every attention distribution is near uniform, so errors in
/// the curvature-dependent parts of the backward pass would barely show. The nudge moves to a
/// generic point where they do, and away from the ReLU kinks: at init the nearest ReLU input is
/// 5.4e-4 from 0, after the nudge 2.6e-3 (tested in chapter 7's tests).
pub fn check_point() -> Gpt {
    let config = small_config();
    let mut rng = ChaCha::seed(2024);
    let init = Gpt::init(config, &mut rng);
    let data = init.params().data().iter().map(|&w| w + rng.gauss(0.0, 0.2)).collect();
    Gpt::from_params(config, data).unwrap()
}

/// The loss of `tokens` for a model of `config` with weights `data`, on `engine`.
fn loss_at<E: Engine>(engine: &mut E, config: Config, data: Vec<f64>, tokens: &[Token]) -> f64 {
    let model = Gpt::from_params(config, data).unwrap();
    engine.begin(model.params());
    let loss = document_loss(&model, engine, tokens);
    engine.value(loss)
}

/// The gradient of `document_loss` with respect to every parameter, from `engine.backward`,
/// against central differences of the same loss computed by the same engine.
pub fn check_model<E: Engine>(mut engine: E, model: &Gpt, tokens: &[Token]) -> Agreement {
    engine.begin(model.params());
    let loss = document_loss(model, &mut engine, tokens);
    let mut grads = model.params().zeros_like();
    engine.backward(loss, &mut grads);
    let config = *model.config();
    let numeric =
        central_differences(model.params().data(), |data| loss_at(&mut engine, config, data, tokens));
    let layout = model.params().layout();
    let inputs = (0..layout.len())
        .map(|i| {
            let (name, row, col) = layout.name_of(i);
            (format!("{name}[{row}][{col}]"), model.params().data()[i])
        })
        .collect();
    Agreement { what: "the document loss".to_string(), inputs, analytic: grads.data().to_vec(), numeric }
}
