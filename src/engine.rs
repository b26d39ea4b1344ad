//! # Two engines, one seam
//!
//! [`Gpt::forward`](crate::model::Gpt::forward) is written once, against the [`Engine`] trait: the
//! vector operations a GPT is made of, recorded on some computation graph that can be
//! differentiated. Two engines implement it. [`ScalarEngine`], here, builds every operation from the
//! scalar nodes of the [`Tape`] with the building blocks of [`nn`](crate::nn), exactly as
//! microgpt.py builds them from its `Value`s: the engine the book teaches. The
//! [`FusedEngine`](crate::fused::FusedEngine) of chapter 14 records one node per vector operation
//! and differentiates each with a hand-written loop: the same forward pass, about six times faster.

use crate::nn::{attention, cross_entropy, linear, mean, rms_norm};
use crate::params::{Matrix, Params};
use crate::value::{Tape, Var};

// ANCHOR: Engine
/// The operations a GPT is made of, on some representation of vectors that can be differentiated.
///
/// [`Gpt::forward`](crate::model::Gpt::forward) is written once against this trait. An engine owns
/// the computation graph of one training step: [`begin`](Engine::begin) starts a graph whose leaves
/// are the parameters, the other methods record operations on it, and
/// [`backward`](Engine::backward) writes the derivative of a loss with respect to every parameter.
pub trait Engine {
    /// A vector of values on the graph.
    type Vector: Clone;
    /// One value on the graph (a loss).
    type Scalar: Copy;

    /// Forgets the previous graph and starts a new one whose leaves are `params`.
    fn begin(&mut self, params: &Params);
    /// Row `r` of parameter matrix `m` (an embedding lookup): `m.cols()` values.
    fn row(&mut self, m: Matrix, r: usize) -> Self::Vector;
    /// Elementwise `a + b` of two vectors of one length `n`: `n` values.
    fn add(&mut self, a: &Self::Vector, b: &Self::Vector) -> Self::Vector;
    /// `W x` for parameter matrix `w` and `x` of length `w.cols()`: `w.rows()` values.
    fn linear(&mut self, x: &Self::Vector, w: Matrix) -> Self::Vector;
    /// `x / √(mean(x²) + ε)` with ε = [`RMS_NORM_EPS`](crate::nn::RMS_NORM_EPS): as many values
    /// as `x`.
    fn rms_norm(&mut self, x: &Self::Vector) -> Self::Vector;
    /// Elementwise `max(0, x)`: as many values as `x`.
    fn relu(&mut self, x: &Self::Vector) -> Self::Vector;
    /// Multi-head causal attention of query `q` (`n_embd` values, `n_head` heads of
    /// `n_embd / n_head`) over the cached `keys` and `values` (one vector of `n_embd` per position
    /// so far): `n_embd` values.
    fn attention(
        &mut self,
        q: &Self::Vector,
        keys: &[Self::Vector],
        values: &[Self::Vector],
        n_head: usize,
    ) -> Self::Vector;
    /// `-ln softmax(logits)[target]`, for `target < logits`' length: one scalar.
    fn cross_entropy(&mut self, logits: &Self::Vector, target: usize) -> Self::Scalar;
    /// The mean of some scalars.
    fn mean(&mut self, xs: &[Self::Scalar]) -> Self::Scalar;
    /// The value of a scalar.
    fn value(&self, x: Self::Scalar) -> f64;
    /// The values of a vector.
    fn values(&self, x: &Self::Vector) -> Vec<f64>;
    /// Writes `∂loss/∂p` for every parameter `p` into `grads` (which has the parameters' layout).
    fn backward(&mut self, loss: Self::Scalar, grads: &mut Params);
}
// ANCHOR_END: Engine

// ANCHOR: ScalarEngine
/// The [`Engine`] of microgpt.py: every operation built from scalar nodes on a [`Tape`].
#[derive(Clone, Debug, Default)]
pub struct ScalarEngine {
    tape: Tape,
    /// The leaf for parameter `i` is `params[i]` (it is also `Var(i)`: parameters come first).
    params: Vec<Var>,
    /// When recording, the attention weights of every head of every `attention` call, in call order.
    recorded: Option<Vec<Vec<f64>>>,
}
// ANCHOR_END: ScalarEngine

impl ScalarEngine {
    /// An engine with an empty tape.
    pub fn new() -> Self {
        Self::default()
    }

    /// An engine that also keeps the attention weights of every head of every `attention` call.
    pub fn recording_attention() -> Self {
        ScalarEngine { recorded: Some(Vec::new()), ..Self::default() }
    }

    /// The tape of the current graph.
    pub fn tape(&self) -> &Tape {
        &self.tape
    }

    /// The recorded attention weights, one vector per head and call, in call order (empty unless
    /// made with [`ScalarEngine::recording_attention`]).
    pub fn recorded_attention(&self) -> &[Vec<f64>] {
        self.recorded.as_deref().unwrap_or_default()
    }
}

// ANCHOR: impl_Engine
impl Engine for ScalarEngine {
    type Vector = Vec<Var>;
    type Scalar = Var;

    fn begin(&mut self, params: &Params) {
        self.tape.clear();
        self.params = params.data().iter().map(|&p| self.tape.leaf(p)).collect();
        if let Some(recorded) = &mut self.recorded {
            recorded.clear();
        }
    }

    fn row(&mut self, m: Matrix, r: usize) -> Vec<Var> {
        self.params[m.row_range(r)].to_vec()
    }

    fn add(&mut self, a: &Vec<Var>, b: &Vec<Var>) -> Vec<Var> {
        assert_eq!(a.len(), b.len(), "add of vectors of lengths {} and {}", a.len(), b.len());
        a.iter().zip(b).map(|(&x, &y)| self.tape.add(x, y)).collect()
    }

    fn linear(&mut self, x: &Vec<Var>, w: Matrix) -> Vec<Var> {
        assert_eq!(x.len(), w.cols(), "linear of a {}-vector by a {}x{} matrix", x.len(), w.rows(), w.cols());
        linear(&mut self.tape, x, &self.params[w.range()])
    }

    fn rms_norm(&mut self, x: &Vec<Var>) -> Vec<Var> {
        rms_norm(&mut self.tape, x)
    }

    fn relu(&mut self, x: &Vec<Var>) -> Vec<Var> {
        x.iter().map(|&xi| self.tape.relu(xi)).collect()
    }

    fn attention(&mut self, q: &Vec<Var>, keys: &[Vec<Var>], values: &[Vec<Var>], n_head: usize) -> Vec<Var> {
        let (out, weights) = attention(&mut self.tape, q, keys, values, n_head);
        if let Some(recorded) = &mut self.recorded {
            recorded.extend(weights.iter().map(|w| self.tape.values(w)));
        }
        out
    }

    fn cross_entropy(&mut self, logits: &Vec<Var>, target: usize) -> Var {
        cross_entropy(&mut self.tape, logits, target)
    }

    fn mean(&mut self, xs: &[Var]) -> Var {
        mean(&mut self.tape, xs)
    }

    fn value(&self, x: Var) -> f64 {
        self.tape.value(x)
    }

    fn values(&self, x: &Vec<Var>) -> Vec<f64> {
        self.tape.values(x)
    }

    fn backward(&mut self, loss: Var, grads: &mut Params) {
        let all = self.tape.backward(loss);
        grads.data_mut().copy_from_slice(all.leading(self.params.len()));
    }
}
// ANCHOR_END: impl_Engine
