//! # Building blocks: linear, softmax, rms_norm, attention
//!
//! A GPT is assembled from a handful of vector operations. This module writes each of them with the
//! scalar operations of the [`Tape`], exactly as microgpt.py writes them with its `Value`s. The
//! [`Engine`](crate::engine::Engine) trait names the set, so that the model can be written once and
//! run on the scalar tape or on the fused engine of chapter 14.
//!
//! Every function computes its value in the same order as microgpt.py (sums fold from zero, left to
//! right; a division `a / b` is `a · (1/b)`), so values agree with microgpt.py bit for bit.

use crate::value::{Tape, Var};

/// The ε of [`rms_norm`], `10⁻⁵` as in microgpt.py: keeps the division finite for an all-zero vector.
pub const RMS_NORM_EPS: f64 = 1e-5;

/// The factor attention scores are scaled by, `1/√d` for heads of width `d` (chapter 6 measures why).
pub fn attention_scale(head_dim: usize) -> f64 {
    1.0 / (head_dim as f64).sqrt()
}

// ANCHOR: workbook_ch04
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
/// `rms_norm(x) = x / √(mean(x²) + ε)` with ε = [`RMS_NORM_EPS`] and no learned gain, as in microgpt.
///
/// Rescales a vector to unit root-mean-square, so the size of the activations cannot drift from
/// layer to layer; ε keeps the division finite for an all-zero vector.
pub fn rms_norm(tape: &mut Tape, x: &[Var]) -> Vec<Var> {
    let sum_sq = tape.dot(x, x);
    let inv_n = tape.leaf(1.0 / x.len() as f64);
    let mean_sq = tape.mul(sum_sq, inv_n);
    let eps = tape.leaf(RMS_NORM_EPS);
    let mean_sq_eps = tape.add(mean_sq, eps);
    let scale = tape.pow(mean_sq_eps, -0.5);
    x.iter().map(|&xi| tape.mul(xi, scale)).collect()
}
// ANCHOR_END: rms_norm
// ANCHOR_END: workbook_ch04

// ANCHOR: workbook_ch06
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
    let scale = tape.leaf(attention_scale(head_dim));
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
// ANCHOR_END: workbook_ch06

// ANCHOR: workbook_ch07
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
// ANCHOR_END: workbook_ch07
