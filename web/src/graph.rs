//! Chapter 2's widget: the expression graph `L = (a·b + c)·a` on the library's [`Tape`], for inputs
//! the reader drags, with every node's value and gradient and a central-difference estimate of each
//! input's gradient beside the one `backward` gives.

use crate::number;
use microgpt::value::{Tape, Var};
use wasm_bindgen::prelude::wasm_bindgen;

/// The step of the central differences, as chapter 2's gradient check takes it.
pub const H: f64 = 1e-6;

/// Chapter 2's graph recorded on a tape: its nodes, named, in the order they were recorded.
fn record(tape: &mut Tape, [a, b, c]: [f64; 3], relu: bool) -> Vec<(&'static str, Var)> {
    let a = tape.leaf(a);
    let b = tape.leaf(b);
    let c = tape.leaf(c);
    let d = tape.mul(a, b);
    let e = tape.add(d, c);
    let mut nodes = vec![("a", a), ("b", b), ("c", c), ("d = a·b", d), ("e = d + c", e)];
    if relu {
        let r = tape.relu(e);
        let l = tape.mul(r, a);
        nodes.extend([("r = relu(e)", r), ("L = r·a", l)]);
    } else {
        nodes.push(("L = e·a", tape.mul(e, a)));
    }
    nodes
}

/// The value of `L` at `inputs`: a forward pass on a fresh tape, nothing else.
fn value_at(inputs: [f64; 3], relu: bool) -> f64 {
    let mut tape = Tape::new();
    let nodes = record(&mut tape, inputs, relu);
    tape.value(nodes[nodes.len() - 1].1)
}

/// `L = (a·b + c)·a`, or with a ReLU between `e` and `L`, recorded and differentiated.
#[wasm_bindgen]
pub struct ExpressionGraph {
    names: Vec<&'static str>,
    values: Vec<f64>,
    gradients: Vec<f64>,
    edges: Vec<f64>,
    estimates: Vec<f64>,
}

#[wasm_bindgen]
impl ExpressionGraph {
    /// The graph for the inputs `a`, `b` and `c` as the page's fields write them; with `relu`,
    /// `L = relu(a·b + c)·a`.
    #[wasm_bindgen(constructor)]
    pub fn new(a: &str, b: &str, c: &str, relu: bool) -> Result<ExpressionGraph, String> {
        let inputs = [number("a", a)?, number("b", b)?, number("c", c)?];
        let mut tape = Tape::new();
        let nodes = record(&mut tape, inputs, relu);
        let grads = tape.backward(nodes[nodes.len() - 1].1);
        let index = |v: Var| nodes.iter().position(|&(_, w)| w == v).expect("a node of this graph") as f64;
        let mut edges = Vec::new();
        for &(_, node) in &nodes {
            for &(child, local) in tape.children(node) {
                edges.extend([index(child), index(node), local]);
            }
        }
        // (L(x + h) − L(x − h)) / 2h for each input in turn.
        let estimates = (0..3)
            .map(|i| {
                let (mut up, mut down) = (inputs, inputs);
                up[i] += H;
                down[i] -= H;
                (value_at(up, relu) - value_at(down, relu)) / (2.0 * H)
            })
            .collect();
        Ok(ExpressionGraph {
            names: nodes.iter().map(|&(name, _)| name).collect(),
            values: nodes.iter().map(|&(_, v)| tape.value(v)).collect(),
            gradients: nodes.iter().map(|&(_, v)| grads[v]).collect(),
            edges,
            estimates,
        })
    }

    /// The nodes' names, one per line, in the order they were recorded; the last is `L`.
    pub fn names(&self) -> String {
        self.names.join("\n")
    }

    /// Every node's value, computed when it was recorded.
    pub fn values(&self) -> Vec<f64> {
        self.values.clone()
    }

    /// Every node's gradient `∂L/∂node`, from [`Tape::backward`].
    pub fn gradients(&self) -> Vec<f64> {
        self.gradients.clone()
    }

    /// The edges, three numbers each: the child's index, the node's index, and the local
    /// derivative `∂node/∂child` recorded with the node.
    pub fn edges(&self) -> Vec<f64> {
        self.edges.clone()
    }

    /// The central-difference estimates of `∂L/∂a`, `∂L/∂b` and `∂L/∂c`, with a step of [`H`].
    pub fn estimates(&self) -> Vec<f64> {
        self.estimates.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_chapter_2s_inputs_the_gradients_are_chapter_2s() {
        let graph = ExpressionGraph::new("2", "-3", "10", false).unwrap();
        assert_eq!(graph.names(), "a\nb\nc\nd = a·b\ne = d + c\nL = e·a");
        assert_eq!(graph.values(), [2.0, -3.0, 10.0, -6.0, 4.0, 8.0]);
        assert_eq!(graph.gradients(), [-2.0, 4.0, 2.0, 2.0, 2.0, 1.0]); // 2ab + c, a², a
        assert!(graph.estimates().iter().zip(&graph.gradients()).all(|(e, g)| (e - g).abs() < 1e-8));
        // a feeds d (local derivative b = −3) and L (local derivative e = 4).
        let edges = graph.edges();
        let into_a: Vec<&[f64]> = edges.chunks(3).filter(|edge| edge[0] == 0.0).collect();
        assert_eq!(into_a, [&[0.0, 3.0, -3.0][..], &[0.0, 5.0, 4.0]]);
    }

    #[test]
    fn a_relu_whose_input_is_below_zero_passes_no_gradient() {
        let live = ExpressionGraph::new("2", "-3", "10", true).unwrap();
        assert_eq!(live.gradients(), [-2.0, 4.0, 2.0, 2.0, 2.0, 2.0, 1.0]);
        let dead = ExpressionGraph::new("2", "-3", "5", true).unwrap(); // e = −1
        assert_eq!(dead.values()[5..], [0.0, 0.0]);
        // Nothing reaches e or anything before it; L still depends on r, which is 0.
        assert_eq!(dead.gradients(), [0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 1.0]);
        assert_eq!(dead.estimates(), [0.0; 3]);
    }

    #[test]
    fn at_the_kink_backward_says_0_and_the_central_difference_splits_the_difference() {
        let kink = ExpressionGraph::new("2", "-3", "6", true).unwrap(); // e = 0 exactly
        assert_eq!(kink.gradients()[2], 0.0);
        assert!((kink.estimates()[2] - 1.0).abs() < 1e-6); // half of a = 2
    }

    #[test]
    fn inputs_that_are_not_numbers_are_named() {
        assert_eq!(
            ExpressionGraph::new("2", "x", "1", false).err().unwrap(),
            "invalid b \"x\": it is not a number"
        );
    }
}
