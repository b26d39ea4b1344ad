//! Finite-difference gradient checks: every derivative `backward` computes, against the slope of
//! the forward computation measured by central differences (chapters 2, 4 and 5).
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
//! The full-model check is [`check`], generic over the [`Engine`], so every engine must pass the
//! same test.

use microgpt::engine::{Engine, ScalarEngine};
use microgpt::fused::FusedEngine;
use microgpt::loss::document_loss;
use microgpt::model::{Config, Gpt};
use microgpt::nn;
use microgpt::params::{Matrix, Params};
use microgpt::rng::{ChaCha, RandomSource};
use microgpt::tokenizer::Token;
use microgpt::value::{Tape, Var};
use std::fmt;

/// The step of the central differences.
const H: f64 = 1e-5;
/// The absolute part of the tolerance (see the module docs).
const ABS_TOL: f64 = 1e-8;
/// The relative part of the tolerance (see the module docs).
const REL_TOL: f64 = 1e-6;

/// Analytic and numerical gradients of one function, entry by entry.
struct Agreement {
    analytic: Vec<f64>,
    numeric: Vec<f64>,
}

impl Agreement {
    fn error(&self, i: usize) -> f64 {
        (self.analytic[i] - self.numeric[i]).abs()
    }

    fn within_tolerance(&self, i: usize) -> bool {
        self.error(i) <= ABS_TOL + REL_TOL * self.analytic[i].abs()
    }

    fn relative_error(&self, i: usize) -> f64 {
        let scale = self.analytic[i].abs().max(self.numeric[i].abs());
        if scale == 0.0 { 0.0 } else { self.error(i) / scale }
    }

    fn max_abs_error(&self) -> f64 {
        (0..self.analytic.len()).map(|i| self.error(i)).fold(0.0, f64::max)
    }

    fn max_relative_error(&self) -> f64 {
        (0..self.analytic.len()).map(|i| self.relative_error(i)).fold(0.0, f64::max)
    }

    /// Whether every entry is within tolerance.
    fn holds(&self) -> bool {
        (0..self.analytic.len()).all(|i| self.within_tolerance(i))
    }
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outside: Vec<usize> = (0..self.analytic.len()).filter(|&i| !self.within_tolerance(i)).collect();
        write!(
            f,
            "{} gradients, {} outside |a - n| <= {ABS_TOL:e} + {REL_TOL:e}·|a|; max |a - n| = {:.2e}, \
             max relative error = {:.2e}",
            self.analytic.len(),
            outside.len(),
            self.max_abs_error(),
            self.max_relative_error()
        )?;
        for &i in outside.iter().take(5) {
            write!(f, "\n  [{i}] analytic {:e}, numeric {:e}", self.analytic[i], self.numeric[i])?;
        }
        Ok(())
    }
}

/// `∂f/∂xᵢ ≈ (f(x + h·eᵢ) - f(x - h·eᵢ)) / 2h` for every i.
///
/// Divides by the step actually taken, `(xᵢ + h) - (xᵢ - h)` in floating point, not by `2h`: the
/// two sums round, and the rounded points are the ones `f` saw.
fn central_differences(x: &[f64], mut f: impl FnMut(Vec<f64>) -> f64) -> Vec<f64> {
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

/// Runs `f` on a tape whose leaves are `x` and compares `backward` with central differences.
fn check_on_tape(x: &[f64], f: impl Fn(&mut Tape, &[Var]) -> Var) -> Agreement {
    let mut tape = Tape::new();
    let inputs: Vec<Var> = x.iter().map(|&xi| tape.leaf(xi)).collect();
    let root = f(&mut tape, &inputs);
    let grads = tape.backward(root);
    let analytic = inputs.iter().map(|&v| grads[v]).collect();
    let numeric = central_differences(x, |x| {
        let mut tape = Tape::new();
        let inputs: Vec<Var> = x.iter().map(|&xi| tape.leaf(xi)).collect();
        let root = f(&mut tape, &inputs);
        tape.value(root)
    });
    Agreement { analytic, numeric }
}

/// `Σ cᵢ yᵢ` with fixed, distinct weights `cᵢ`: a scalar that depends on every output.
fn weighted_sum(tape: &mut Tape, ys: &[Var]) -> Var {
    const WEIGHTS: [f64; 8] = [0.9, -1.3, 0.4, 2.1, -0.6, 1.7, -2.2, 0.3];
    let weights: Vec<Var> = (0..ys.len()).map(|i| tape.leaf(WEIGHTS[i % WEIGHTS.len()])).collect();
    tape.dot(ys, &weights)
}

// ---------------------------------------------------------------------------------------------
// The tape's operations
// ---------------------------------------------------------------------------------------------

#[test]
fn add_matches_central_differences() {
    let agreement = check_on_tape(&[0.3, -1.2], |t, x| t.add(x[0], x[1]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn mul_matches_central_differences() {
    let agreement = check_on_tape(&[0.7, -1.9], |t, x| t.mul(x[0], x[1]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn pow_with_an_integer_exponent_matches_central_differences() {
    let agreement = check_on_tape(&[1.3], |t, x| t.pow(x[0], 3.0));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn pow_with_a_negative_fractional_exponent_matches_central_differences() {
    // rms_norm raises mean(x²) + ε to the power -0.5.
    let agreement = check_on_tape(&[0.8], |t, x| t.pow(x[0], -0.5));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn exp_matches_central_differences() {
    let agreement = check_on_tape(&[-0.4], |t, x| t.exp(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn log_matches_central_differences() {
    let agreement = check_on_tape(&[0.6], |t, x| t.log(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn relu_of_a_positive_input_matches_central_differences() {
    let agreement = check_on_tape(&[0.8], |t, x| t.relu(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn relu_of_a_negative_input_matches_central_differences() {
    let agreement = check_on_tape(&[-0.8], |t, x| t.relu(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn neg_matches_central_differences() {
    let agreement = check_on_tape(&[0.45], |t, x| t.neg(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn sub_matches_central_differences() {
    let agreement = check_on_tape(&[0.3, -1.2], |t, x| t.sub(x[0], x[1]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn div_matches_central_differences() {
    let agreement = check_on_tape(&[0.7, -1.9], |t, x| t.div(x[0], x[1]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn sum_matches_central_differences() {
    let agreement = check_on_tape(&[0.7, -1.9, 0.2], |t, x| t.sum(x));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn dot_matches_central_differences() {
    let agreement = check_on_tape(&[0.7, -1.9, 0.2, 1.1, 0.5, -0.3], |t, x| t.dot(&x[..3], &x[3..]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn a_reused_node_matches_central_differences() {
    // e = c · (c + a) with c = a · b: c and a each reach e along two paths.
    let agreement = check_on_tape(&[0.7, -1.9], |t, x| {
        let c = t.mul(x[0], x[1]);
        let d = t.add(c, x[0]);
        t.mul(c, d)
    });
    assert!(agreement.holds(), "{agreement}");
}

// ---------------------------------------------------------------------------------------------
// The building blocks of chapter 4
// ---------------------------------------------------------------------------------------------

#[test]
fn softmax_matches_central_differences() {
    let agreement = check_on_tape(&[0.3, -1.2, 2.0, 0.5, -0.1], |t, x| {
        let y = nn::softmax(t, x);
        weighted_sum(t, &y)
    });
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn rms_norm_matches_central_differences() {
    let agreement = check_on_tape(&[0.7, -1.1, 0.2, 1.9], |t, x| {
        let y = nn::rms_norm(t, x);
        weighted_sum(t, &y)
    });
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn linear_matches_central_differences_in_the_input_and_the_weights() {
    // x has 3 entries, W is 2 × 3.
    let agreement = check_on_tape(&[0.7, -1.1, 0.2, 0.5, -0.4, 1.3, -0.9, 0.1, 0.6], |t, xw| {
        let (x, w) = xw.split_at(3);
        let y = nn::linear(t, x, w);
        weighted_sum(t, &y)
    });
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn attention_matches_central_differences_in_query_keys_and_values() {
    // Two heads of width 2 over three cached positions: q, then 3 keys, then 3 values.
    let x = [
        0.5, -0.3, 0.8, 0.1, // q
        0.2, 0.9, -0.4, 0.6, // k₀
        -0.7, 0.3, 0.5, -0.2, // k₁
        0.4, -0.8, 0.1, 0.7, // k₂
        1.1, -0.5, 0.3, 0.9, // v₀
        -0.6, 0.2, 1.4, -1.0, // v₁
        0.8, 0.7, -0.9, 0.4, // v₂
    ];
    let agreement = check_on_tape(&x, |t, x| {
        let q = &x[..4];
        let keys: Vec<Vec<Var>> = x[4..16].chunks(4).map(<[Var]>::to_vec).collect();
        let values: Vec<Vec<Var>> = x[16..].chunks(4).map(<[Var]>::to_vec).collect();
        let (out, _) = nn::attention(t, q, &keys, &values, 2);
        weighted_sum(t, &out)
    });
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn cross_entropy_matches_central_differences() {
    let agreement = check_on_tape(&[0.3, -1.2, 2.0, 0.5, -0.1], |t, x| nn::cross_entropy(t, x, 1));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn mean_matches_central_differences() {
    let agreement = check_on_tape(&[0.7, -1.9, 0.2, 3.5], nn::mean);
    assert!(agreement.holds(), "{agreement}");
}

// ---------------------------------------------------------------------------------------------
// The whole model
// ---------------------------------------------------------------------------------------------

/// The document of the full-model check, for a vocabulary of 5 characters and BOS = 5.
///
/// Nine tokens make eight predictions, one per position of the context: every row of `wpe` and,
/// since every token is read at least once, every row of `wte` takes part, and attention runs over
/// one to eight cached positions.
const DOC: [Token; 9] = [5, 0, 1, 2, 3, 4, 2, 0, 5];

/// Vocabulary 6, 2 layers, n_embd 8 in 2 heads, context 8: (2·6 + 8)·8 + 2·12·8² = 1,696 parameters.
fn small_config() -> Config {
    Config::new(6, 2, 8, 2, 8).unwrap()
}

/// The model the full-model check runs at: `Gpt::init`, then every weight moved by N(0, 0.2²).
///
/// At init the logits are near zero and every attention distribution is near uniform, so errors in
/// the curvature-dependent parts of the backward pass would barely show. The nudge moves to a
/// generic point where they do, and away from the ReLU kinks: at init the nearest ReLU input is
/// 5.4e-4 from 0, after the nudge 2.6e-3 (tested below).
fn check_point() -> Gpt {
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
fn check<E: Engine>(mut engine: E, model: &Gpt, tokens: &[Token]) -> Agreement {
    engine.begin(model.params());
    let loss = document_loss(model, &mut engine, tokens);
    let mut grads = model.params().zeros_like();
    engine.backward(loss, &mut grads);
    let config = *model.config();
    let numeric =
        central_differences(model.params().data(), |data| loss_at(&mut engine, config, data, tokens));
    Agreement { analytic: grads.data().to_vec(), numeric }
}

#[test]
fn the_gradient_check_model_has_1696_parameters() {
    assert_eq!(check_point().params().len(), 1696);
}

#[test]
fn full_model_gradient_matches_central_differences_for_all_1696_parameters() {
    let agreement = check(ScalarEngine::new(), &check_point(), &DOC);
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn fused_engine_gradient_matches_central_differences_for_all_1696_parameters() {
    let agreement = check(FusedEngine::new(), &check_point(), &DOC);
    assert!(agreement.holds(), "{agreement}");
}

/// An engine that runs `E` and remembers the smallest `|x|` any ReLU was given since `begin`: how
/// close the forward pass came to the kink, where a central difference would straddle two slopes.
struct NearestKink<E> {
    inner: E,
    distance: f64,
}

impl<E: Engine> Engine for NearestKink<E> {
    type Vector = E::Vector;
    type Scalar = E::Scalar;

    fn begin(&mut self, params: &Params) {
        self.distance = f64::INFINITY;
        self.inner.begin(params);
    }

    fn row(&mut self, m: Matrix, r: usize) -> Self::Vector {
        self.inner.row(m, r)
    }

    fn add(&mut self, a: &Self::Vector, b: &Self::Vector) -> Self::Vector {
        self.inner.add(a, b)
    }

    fn linear(&mut self, x: &Self::Vector, w: Matrix) -> Self::Vector {
        self.inner.linear(x, w)
    }

    fn rms_norm(&mut self, x: &Self::Vector) -> Self::Vector {
        self.inner.rms_norm(x)
    }

    fn relu(&mut self, x: &Self::Vector) -> Self::Vector {
        let nearest = self.inner.values(x).iter().fold(f64::INFINITY, |d, v| d.min(v.abs()));
        self.distance = self.distance.min(nearest);
        self.inner.relu(x)
    }

    fn attention(
        &mut self,
        q: &Self::Vector,
        keys: &[Self::Vector],
        values: &[Self::Vector],
        n_head: usize,
    ) -> Self::Vector {
        self.inner.attention(q, keys, values, n_head)
    }

    fn cross_entropy(&mut self, logits: &Self::Vector, target: usize) -> Self::Scalar {
        self.inner.cross_entropy(logits, target)
    }

    fn mean(&mut self, xs: &[Self::Scalar]) -> Self::Scalar {
        self.inner.mean(xs)
    }

    fn value(&self, x: Self::Scalar) -> f64 {
        self.inner.value(x)
    }

    fn values(&self, x: &Self::Vector) -> Vec<f64> {
        self.inner.values(x)
    }

    fn backward(&mut self, loss: Self::Scalar, grads: &mut Params) {
        self.inner.backward(loss, grads);
    }
}

#[test]
fn no_relu_input_of_the_gradient_check_lies_within_1e_3_of_the_kink() {
    // A nudge of h = 1e-5 to one weight moves a ReLU input by at most h times its sensitivity to
    // that weight, which is of order |rms_norm(x)ᵢ| <= √n_embd ≈ 2.8 here: at most about 3e-5, so a
    // margin of 1e-3 means no central difference of the check straddles a kink.
    let model = check_point();
    let mut engine = NearestKink { inner: ScalarEngine::new(), distance: f64::INFINITY };
    engine.begin(model.params());
    document_loss(&model, &mut engine, &DOC);
    assert!(engine.distance > 1e-3, "a ReLU input is {:e} from the kink", engine.distance);
}
