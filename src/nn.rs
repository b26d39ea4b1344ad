//! # Building blocks: linear, softmax, rms_norm, attention
//!
//! A GPT is assembled from a handful of vector operations. This module writes each of them with the
//! scalar operations of the [`Tape`], exactly as microgpt.py writes them with its `Value`s, and then
//! names the set in the [`Engine`] trait. The model (chapter 5) is written once against `Engine`; the
//! [`ScalarEngine`] here runs it on the scalar tape, and the fused engine of the last chapter runs the
//! same model many times faster by treating each operation as one node.
//!
//! Every function computes its value in the same order as microgpt.py (sums fold from zero, left to
//! right; a division `a / b` is `a · (1/b)`), so values agree with microgpt.py bit for bit.

use crate::math;
use crate::params::{Matrix, Params};
use crate::value::{Tape, Var};

// ANCHOR: linear
/// `y = W x` without bias: `yᵢ = Σⱼ Wᵢⱼ xⱼ`, one dot product per row of `w` (stored row-major).
pub fn linear(tape: &mut Tape, x: &[Var], w: &[Var]) -> Vec<Var> {
    w.chunks_exact(x.len()).map(|row| tape.dot(row, x)).collect()
}
// ANCHOR_END: linear

// ANCHOR: softmax
/// `softmax(x)ᵢ = exp(xᵢ - m) / Σⱼ exp(xⱼ - m)` with `m = maxⱼ xⱼ`.
///
/// Subtracting the maximum changes nothing mathematically (it cancels between numerator and
/// denominator) but keeps every `exp` at most 1, so large logits cannot overflow to infinity. The
/// maximum enters as a constant: softmax does not depend on it, so no gradient needs to flow into it.
pub fn softmax(tape: &mut Tape, logits: &[Var]) -> Vec<Var> {
    let max = logits.iter().map(|&l| tape.value(l)).fold(f64::NEG_INFINITY, f64::max);
    let max = tape.leaf(max);
    let exps: Vec<Var> = logits
        .iter()
        .map(|&l| {
            let shifted = tape.sub(l, max);
            tape.exp(shifted)
        })
        .collect();
    let total = tape.sum(&exps);
    exps.iter().map(|&e| tape.div(e, total)).collect()
}
// ANCHOR_END: softmax

// ANCHOR: rms_norm
/// `rms_norm(x) = x / √(mean(x²) + ε)` with ε = 10⁻⁵ and no learned gain, as in microgpt.
///
/// Rescales a vector to unit root-mean-square, so the size of the activations cannot drift from
/// layer to layer; ε keeps the division finite for an all-zero vector.
pub fn rms_norm(tape: &mut Tape, x: &[Var]) -> Vec<Var> {
    let sum_sq = tape.dot(x, x);
    let inv_n = tape.leaf(1.0 / x.len() as f64);
    let mean_sq = tape.mul(sum_sq, inv_n);
    let eps = tape.leaf(1e-5);
    let mean_sq_eps = tape.add(mean_sq, eps);
    let scale = tape.pow(mean_sq_eps, -0.5);
    x.iter().map(|&xi| tape.mul(xi, scale)).collect()
}
// ANCHOR_END: rms_norm

// ANCHOR: attention
/// Multi-head causal self-attention for one query position.
///
/// For each head `h`, with `d = head_dim` and the head's slices of the query `q`, of every cached key
/// `kₜ` and value `vₜ`: scores `sₜ = q·kₜ / √d`, weights `a = softmax(s)`, output `Σₜ aₜ vₜ`. The heads'
/// outputs are concatenated. Only positions `0..=now` are in the cache, so the attention is causal
/// without any mask. Returns the output and, per head, the weights (one per cached position).
pub fn attention(
    tape: &mut Tape,
    q: &[Var],
    keys: &[Vec<Var>],
    values: &[Vec<Var>],
    n_head: usize,
) -> (Vec<Var>, Vec<Vec<Var>>) {
    let head_dim = q.len() / n_head;
    let scale = tape.leaf(1.0 / (head_dim as f64).sqrt());
    let mut out = Vec::with_capacity(q.len());
    let mut head_weights = Vec::with_capacity(n_head);
    for h in 0..n_head {
        let hs = h * head_dim..(h + 1) * head_dim;
        let scores: Vec<Var> = keys
            .iter()
            .map(|k| {
                let s = tape.dot(&q[hs.clone()], &k[hs.clone()]);
                tape.mul(s, scale)
            })
            .collect();
        let weights = softmax(tape, &scores);
        for j in hs {
            let column: Vec<Var> = values.iter().map(|v| v[j]).collect();
            out.push(tape.dot(&weights, &column));
        }
        head_weights.push(weights);
    }
    (out, head_weights)
}
// ANCHOR_END: attention

// ANCHOR: cross_entropy
/// `-ln softmax(logits)[target]`: the surprise of seeing `target` when the model predicted `logits`.
pub fn cross_entropy(tape: &mut Tape, logits: &[Var], target: usize) -> Var {
    let probs = softmax(tape, logits);
    let log_p = tape.log(probs[target]);
    tape.neg(log_p)
}
// ANCHOR_END: cross_entropy

// ANCHOR: mean
/// `(1/n) Σ xᵢ`, folded and scaled as microgpt.py's `(1 / n) * sum(losses)`.
pub fn mean(tape: &mut Tape, xs: &[Var]) -> Var {
    let total = tape.sum(xs);
    let inv_n = tape.leaf(1.0 / xs.len() as f64);
    tape.mul(total, inv_n)
}
// ANCHOR_END: mean

// ANCHOR: softmax_values
/// Softmax of plain numbers, with the same arithmetic as [`softmax`] (for sampling, where no
/// gradient is needed).
pub fn softmax_values(logits: &[f64]) -> Vec<f64> {
    let mut probs = logits.to_vec();
    softmax_in_place(&mut probs);
    probs
}

/// [`softmax_values`] overwriting its input: shift by the max, exponentiate, and multiply by the
/// reciprocal of the total folded left to right, exactly as [`softmax`] does on the tape.
pub fn softmax_in_place(xs: &mut [f64]) {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for x in xs.iter_mut() {
        *x = math::exp(*x - max);
        total += *x;
    }
    let inv_total = 1.0 / total;
    for x in xs.iter_mut() {
        *x *= inv_total;
    }
}
// ANCHOR_END: softmax_values

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
    /// Row `r` of parameter matrix `m` (an embedding lookup).
    fn row(&mut self, m: Matrix, r: usize) -> Self::Vector;
    /// Elementwise `a + b`.
    fn add(&mut self, a: &Self::Vector, b: &Self::Vector) -> Self::Vector;
    /// `W x` for parameter matrix `w`.
    fn linear(&mut self, x: &Self::Vector, w: Matrix) -> Self::Vector;
    /// `x / √(mean(x²) + 10⁻⁵)`.
    fn rms_norm(&mut self, x: &Self::Vector) -> Self::Vector;
    /// Elementwise `max(0, x)`.
    fn relu(&mut self, x: &Self::Vector) -> Self::Vector;
    /// Multi-head causal attention of query `q` over the cached `keys` and `values`.
    fn attention(
        &mut self,
        q: &Self::Vector,
        keys: &[Self::Vector],
        values: &[Self::Vector],
        n_head: usize,
    ) -> Self::Vector;
    /// `-ln softmax(logits)[target]`.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(tape: &mut Tape, xs: &[f64]) -> Vec<Var> {
        xs.iter().map(|&x| tape.leaf(x)).collect()
    }

    #[test]
    fn softmax_sums_to_one_and_survives_huge_logits() {
        let mut t = Tape::new();
        let x = leaves(&mut t, &[1000.0, 1001.0, 999.0]);
        let p = softmax(&mut t, &x);
        let p = t.values(&p);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!(p.iter().all(|v| v.is_finite()));
        assert!(p[1] > p[0] && p[0] > p[2]);
    }

    #[test]
    fn softmax_values_matches_softmax_on_the_tape_bit_for_bit() {
        let logits = [0.3, -1.2, 2.5, 0.0, 7.25];
        let mut t = Tape::new();
        let x = leaves(&mut t, &logits);
        let on_tape = softmax(&mut t, &x);
        let on_tape = t.values(&on_tape);
        assert_eq!(softmax_values(&logits), on_tape);
    }

    #[test]
    fn rms_norm_gives_unit_root_mean_square() {
        let mut t = Tape::new();
        let x = leaves(&mut t, &[3.0, -4.0, 12.0, 0.5]);
        let y = rms_norm(&mut t, &x);
        let y = t.values(&y);
        let rms = (y.iter().map(|v| v * v).sum::<f64>() / 4.0).sqrt();
        // Not exactly 1: the ε inside the root shrinks it by a factor √(ms/(ms+ε)).
        assert!((rms - 1.0).abs() < 1e-6, "rms {rms}");
    }

    #[test]
    fn linear_multiplies_by_the_matrix() {
        let mut t = Tape::new();
        let x = leaves(&mut t, &[1.0, 2.0]);
        let w = leaves(&mut t, &[1.0, 0.0, 0.5, -1.0, 3.0, 4.0]);
        let y = linear(&mut t, &x, &w);
        assert_eq!(t.values(&y), vec![1.0, -1.5, 11.0]);
    }

    #[test]
    fn attention_over_one_position_returns_its_value() {
        // With a single key, softmax gives weight 1 whatever the score.
        let mut t = Tape::new();
        let q = leaves(&mut t, &[0.1, 0.2, 0.3, 0.4]);
        let k = leaves(&mut t, &[1.0, -1.0, 2.0, 0.0]);
        let v = leaves(&mut t, &[5.0, 6.0, 7.0, 8.0]);
        let (out, weights) = attention(&mut t, &q, &[k], &[v], 2);
        assert_eq!(t.values(&out), vec![5.0, 6.0, 7.0, 8.0]);
        assert_eq!(weights.iter().map(|w| t.values(w)).collect::<Vec<_>>(), [[1.0], [1.0]]);
    }

    #[test]
    fn cross_entropy_of_uniform_logits_is_ln_of_the_vocabulary() {
        let mut t = Tape::new();
        let x = leaves(&mut t, &[0.0; 27]);
        let loss = cross_entropy(&mut t, &x, 3);
        assert!((t.value(loss) - math::ln(27.0)).abs() < 1e-15);
    }
}
