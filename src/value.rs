//! # Autograd: numbers that remember how they were made
//!
//! Training a network means asking, for every weight, "if I nudged this number, how would the loss
//! change?" That is the derivative ∂loss/∂w, and reverse-mode automatic differentiation computes all
//! of them in one backward sweep that costs about as much as the forward computation.
//!
//! The idea, as in micrograd and microgpt.py: every arithmetic operation records its result, which
//! values it was computed from (its *children*), and the *local derivative* of its result with respect
//! to each child. The chain rule then says that the derivative of the loss with respect to a child is
//! the sum, over every node that used it, of (the node's gradient × the local derivative).
//!
//! microgpt.py stores that graph as Python objects pointing at each other. Here it is a [`Tape`]: one
//! flat arena in which node `i` can only refer to nodes `< i`, addressed by a [`Var`] that is just an
//! index. Because children always come before their parents, the order in which the nodes were
//! recorded is already a topological order, and [`Tape::backward`] is a single loop from the end of
//! the tape to the start. There are no reference counts, no interior mutability and no graph search.

use crate::math;
use std::ops::Index;

// ANCHOR: Var
/// A scalar on a [`Tape`]: the index of the node that computed it.
///
/// A `Var` is `Copy`, four bytes, and means nothing without its tape; the tape owns every value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(u32);

impl Var {
    /// The position of this node on its tape.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
// ANCHOR_END: Var

// ANCHOR: Tape
/// The computation graph, recorded in the order it was computed.
///
/// Node `i` holds its value `data[i]` and a list of edges `(child, ∂node/∂child)`: the edges of node
/// `i` are `edges[edge_end[i - 1]..edge_end[i]]`. Edges are stored in one flat vector for all nodes, so
/// recording an operation never allocates once the tape has warmed up.
#[derive(Clone, Debug, Default)]
pub struct Tape {
    data: Vec<f64>,
    edge_end: Vec<u32>,
    edges: Vec<(Var, f64)>,
}
// ANCHOR_END: Tape

impl Tape {
    /// An empty tape.
    ///
    /// # Examples
    ///
    /// `L = a·b + a` at `a = 2`, `b = −3`, and its gradient, `∂L/∂a = b + 1` and `∂L/∂b = a`:
    ///
    /// ```
    /// use microgpt::value::Tape;
    ///
    /// let mut tape = Tape::new();
    /// let (a, b) = (tape.leaf(2.0), tape.leaf(-3.0));
    /// let ab = tape.mul(a, b);
    /// let l = tape.add(ab, a);
    /// assert_eq!(tape.value(l), -4.0);
    /// let grads = tape.backward(l);
    /// assert_eq!((grads[a], grads[b]), (-2.0, 2.0));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every node but keeps the memory, so the next step records without allocating.
    pub fn clear(&mut self) {
        self.data.clear();
        self.edge_end.clear();
        self.edges.clear();
    }

    /// How many nodes the tape holds.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the tape holds no nodes.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// How many edges (child links) the tape holds: the work `backward` will do.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The value of `v`, computed when it was recorded.
    pub fn value(&self, v: Var) -> f64 {
        self.data[v.index()]
    }

    /// The children of `v` with the local derivative of `v` with respect to each.
    pub fn children(&self, v: Var) -> &[(Var, f64)] {
        let i = v.index();
        let start = if i == 0 { 0 } else { self.edge_end[i - 1] as usize };
        &self.edges[start..self.edge_end[i] as usize]
    }

    /// The values of several vars.
    pub fn values(&self, vs: &[Var]) -> Vec<f64> {
        vs.iter().map(|&v| self.value(v)).collect()
    }

    // ANCHOR: push
    /// Records a node with value `data` and its edges `(child, local derivative)`.
    fn push(&mut self, data: f64, edges: impl IntoIterator<Item = (Var, f64)>) -> Var {
        self.edges.extend(edges);
        self.seal(data)
    }

    /// Records a node with value `data` whose edges are the ones pushed since the previous node.
    fn seal(&mut self, data: f64) -> Var {
        let id = Var(u32::try_from(self.data.len()).expect("a tape holds at most 2³² nodes"));
        self.data.push(data);
        self.edge_end.push(u32::try_from(self.edges.len()).expect("a tape holds at most 2³² edges"));
        id
    }
    // ANCHOR_END: push

    // ANCHOR: leaf
    /// A value with no children: a parameter, an input or a constant.
    pub fn leaf(&mut self, data: f64) -> Var {
        self.push(data, [])
    }
    // ANCHOR_END: leaf

    // ANCHOR: workbook_ch02
    // ANCHOR: ops
    /// `a + b`; ∂/∂a = 1, ∂/∂b = 1.
    pub fn add(&mut self, a: Var, b: Var) -> Var {
        self.push(self.value(a) + self.value(b), [(a, 1.0), (b, 1.0)])
    }

    /// `a · b`; ∂/∂a = b, ∂/∂b = a.
    pub fn mul(&mut self, a: Var, b: Var) -> Var {
        let (x, y) = (self.value(a), self.value(b));
        self.push(x * y, [(a, y), (b, x)])
    }

    /// `aᵖ` for a constant exponent `p`; ∂/∂a = p·aᵖ⁻¹.
    pub fn pow(&mut self, a: Var, p: f64) -> Var {
        let x = self.value(a);
        self.push(math::pow(x, p), [(a, p * math::pow(x, p - 1.0))])
    }

    /// `eᵃ`; ∂/∂a = eᵃ, the node's own value.
    pub fn exp(&mut self, a: Var) -> Var {
        let e = math::exp(self.value(a));
        self.push(e, [(a, e)])
    }

    /// `ln a`; ∂/∂a = 1/a.
    pub fn log(&mut self, a: Var) -> Var {
        let x = self.value(a);
        self.push(math::ln(x), [(a, 1.0 / x)])
    }

    /// `max(0, a)`; ∂/∂a = 1 where a > 0, else 0.
    pub fn relu(&mut self, a: Var) -> Var {
        let x = self.value(a);
        self.push(x.max(0.0), [(a, if x > 0.0 { 1.0 } else { 0.0 })])
    }
    // ANCHOR_END: ops

    // ANCHOR: derived_ops
    /// `-a`; ∂/∂a = -1.
    pub fn neg(&mut self, a: Var) -> Var {
        self.push(-self.value(a), [(a, -1.0)])
    }

    /// `a - b`; ∂/∂a = 1, ∂/∂b = -1.
    pub fn sub(&mut self, a: Var, b: Var) -> Var {
        self.push(self.value(a) - self.value(b), [(a, 1.0), (b, -1.0)])
    }

    /// `a / b`, computed as microgpt's `Value` does, `a · b⁻¹`; ∂/∂a = 1/b, ∂/∂b = -a/b².
    pub fn div(&mut self, a: Var, b: Var) -> Var {
        let (x, y) = (self.value(a), self.value(b));
        let inv = 1.0 / y;
        self.push(x * inv, [(a, inv), (b, -x * inv * inv)])
    }
    // ANCHOR_END: derived_ops

    // ANCHOR: sum
    /// `Σ xᵢ`, one node with n children; ∂/∂xᵢ = 1.
    ///
    /// The sum folds from 0 left to right, the order of Python's `sum()`, so the value is bit for bit
    /// the one microgpt.py computes.
    pub fn sum(&mut self, xs: &[Var]) -> Var {
        let total = xs.iter().fold(0.0, |acc, &x| acc + self.value(x));
        self.push(total, xs.iter().map(|&x| (x, 1.0)))
    }

    /// `Σ aᵢ·bᵢ`, one node with 2n children; ∂/∂aᵢ = bᵢ, ∂/∂bᵢ = aᵢ.
    ///
    /// microgpt.py builds a dot product from n multiplications and n additions, 2n nodes. As one node
    /// it computes the same value in the same order and stores the same local derivatives, with
    /// 2n - 1 fewer nodes for `backward` to visit.
    pub fn dot(&mut self, a: &[Var], b: &[Var]) -> Var {
        assert_eq!(a.len(), b.len(), "dot of vectors of lengths {} and {}", a.len(), b.len());
        let mut total = 0.0;
        for (&x, &y) in a.iter().zip(b) {
            let (vx, vy) = (self.data[x.index()], self.data[y.index()]);
            total += vx * vy;
            self.edges.extend([(x, vy), (y, vx)]);
        }
        self.seal(total)
    }
    // ANCHOR_END: sum

    // ANCHOR: backward
    /// Reverse-mode differentiation: the derivative of `root` with respect to every node.
    ///
    /// Walk the tape once from `root` back to the start. When we reach a node, every node that used
    /// it has already been visited (they were recorded later), so its gradient is complete and can be
    /// passed on to its children, each scaled by its local derivative (the chain rule). A child used
    /// by several nodes (fan-out) receives one contribution from each, and they add up.
    pub fn backward(&self, root: Var) -> Gradients {
        let mut grad = vec![0.0; self.len()];
        grad[root.index()] = 1.0;
        for node in (0..=root.0).rev().map(Var) {
            let g = grad[node.index()];
            if g == 0.0 {
                continue; // nothing flows through this node, so nothing to pass on
            }
            for &(child, local) in self.children(node) {
                grad[child.index()] += local * g;
            }
        }
        Gradients { grad }
    }
    // ANCHOR_END: backward
    // ANCHOR_END: workbook_ch02
}

// ANCHOR: Gradients
/// The derivatives of one root with respect to every node on a tape, indexed by [`Var`].
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients {
    grad: Vec<f64>,
}

impl Gradients {
    /// The gradients of the first `n` nodes, in tape order (the parameters, when a model puts them
    /// first).
    pub fn leading(&self, n: usize) -> &[f64] {
        &self.grad[..n]
    }
}

impl Index<Var> for Gradients {
    type Output = f64;

    fn index(&self, v: Var) -> &f64 {
        &self.grad[v.index()]
    }
}
// ANCHOR_END: Gradients

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "dot of vectors of lengths 2 and 1")]
    fn dot_of_mismatched_lengths_is_a_bug() {
        let mut t = Tape::new();
        let a = t.leaf(1.0);
        t.dot(&[a, a], &[a]);
    }
}
