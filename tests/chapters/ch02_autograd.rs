//! Chapter 2: the tape's operations and `backward`.
//!
//! First against values and derivatives worked out by hand: every input is a small dyadic number,
//! so most results are exact in `f64` and are compared exactly; where a result involves `exp` or
//! `ln`, the expected value is the `microgpt::math` call the hand derivation names (∂eᵃ/∂a = eᵃ),
//! so equality is still exact. Then every operation against central differences.

use crate::gradcheck::{check_on_tape, named, vector};
use microgpt::math;
use microgpt::value::{Tape, Var};

/// Asserts the value of `root` and its gradient with respect to each named input. The message lists
/// every number, right or wrong, so that a wrong local derivative stands out.
#[track_caller]
fn expect(what: &str, tape: &Tape, root: Var, value: f64, grads: &[(&str, Var, f64)]) {
    let g = tape.backward(root);
    let mut lines = Vec::new();
    let mut right = true;
    let mut line = |label: String, got: f64, want: f64| {
        let ok = got == want;
        right &= ok;
        let verdict = if ok { "right".to_string() } else { format!("WRONG, expected {want}") };
        lines.push(format!("  {label:<6} = {got:<24} {verdict}"));
    };
    line("value".to_string(), tape.value(root), value);
    for &(name, v, want) in grads {
        line(format!("∂/∂{name}"), g[v], want);
    }
    assert!(right, "{what}:\n{}", lines.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Each operation, by hand
// ---------------------------------------------------------------------------------------------

#[test]
fn add_is_the_sum_and_both_partials_are_1() {
    let mut t = Tape::new();
    let (a, b) = (t.leaf(3.0), t.leaf(-2.0));
    let c = t.add(a, b);
    expect("a + b at a = 3, b = -2", &t, c, 1.0, &[("a", a, 1.0), ("b", b, 1.0)]);
}

#[test]
fn mul_is_the_product_and_each_partial_is_the_other_factor() {
    let mut t = Tape::new();
    let (a, b) = (t.leaf(3.0), t.leaf(-2.0));
    let c = t.mul(a, b);
    expect("a · b at a = 3, b = -2", &t, c, -6.0, &[("a", a, -2.0), ("b", b, 3.0)]);
}

#[test]
fn pow_2_of_3_is_9_with_derivative_2a_equal_6() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.pow(a, 2.0);
    expect("a² at a = 3", &t, c, 9.0, &[("a", a, 6.0)]);
}

#[test]
fn pow_minus_1_of_4_is_a_quarter_with_derivative_minus_a_to_the_minus_2() {
    let mut t = Tape::new();
    let a = t.leaf(4.0);
    let c = t.pow(a, -1.0);
    expect("a⁻¹ at a = 4", &t, c, 0.25, &[("a", a, -0.0625)]);
}

#[test]
fn pow_one_half_of_4_is_2_with_derivative_one_over_2_sqrt_a() {
    let mut t = Tape::new();
    let a = t.leaf(4.0);
    let c = t.pow(a, 0.5);
    expect("a^½ at a = 4", &t, c, 2.0, &[("a", a, 0.25)]);
}

#[test]
fn exp_has_its_own_value_as_derivative() {
    let mut t = Tape::new();
    let a = t.leaf(0.75);
    let c = t.exp(a);
    expect("eᵃ at a = 0.75 (through math::exp)", &t, c, math::exp(0.75), &[("a", a, math::exp(0.75))]);
}

#[test]
fn log_of_4_has_derivative_one_over_a_equal_a_quarter() {
    let mut t = Tape::new();
    let a = t.leaf(4.0);
    let c = t.log(a);
    expect("ln a at a = 4 (through math::ln)", &t, c, math::ln(4.0), &[("a", a, 0.25)]);
}

#[test]
fn relu_passes_a_positive_input_and_its_gradient() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.relu(a);
    expect("max(0, a) at a = 3", &t, c, 3.0, &[("a", a, 1.0)]);
}

#[test]
fn relu_zeroes_a_negative_input_and_its_gradient() {
    let mut t = Tape::new();
    let a = t.leaf(-2.0);
    let c = t.relu(a);
    expect("max(0, a) at a = -2", &t, c, 0.0, &[("a", a, 0.0)]);
}

#[test]
fn relu_at_zero_has_derivative_0_as_in_microgpt() {
    // microgpt.py's local derivative is `float(self.data > 0)`: the kink takes the left slope.
    let mut t = Tape::new();
    let a = t.leaf(0.0);
    let c = t.relu(a);
    expect("max(0, a) at a = 0", &t, c, 0.0, &[("a", a, 0.0)]);
}

#[test]
fn neg_flips_the_sign_with_derivative_minus_1() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.neg(a);
    expect("-a at a = 3", &t, c, -3.0, &[("a", a, -1.0)]);
}

#[test]
fn sub_has_partials_1_and_minus_1() {
    let mut t = Tape::new();
    let (a, b) = (t.leaf(3.0), t.leaf(-2.0));
    let c = t.sub(a, b);
    expect("a - b at a = 3, b = -2", &t, c, 5.0, &[("a", a, 1.0), ("b", b, -1.0)]);
}

#[test]
fn div_has_partials_one_over_b_and_minus_a_over_b_squared() {
    let mut t = Tape::new();
    let (a, b) = (t.leaf(3.0), t.leaf(-2.0));
    let c = t.div(a, b);
    expect("a / b at a = 3, b = -2", &t, c, -1.5, &[("a", a, -0.5), ("b", b, -0.75)]);
}

#[test]
fn sum_adds_every_input_and_each_partial_is_1() {
    let mut t = Tape::new();
    let xs = [t.leaf(1.0), t.leaf(2.0), t.leaf(-4.5)];
    let c = t.sum(&xs);
    let grads = [("x₀", xs[0], 1.0), ("x₁", xs[1], 1.0), ("x₂", xs[2], 1.0)];
    expect("x₀ + x₁ + x₂ at 1, 2, -4.5", &t, c, -1.5, &grads);
}

#[test]
fn sum_of_nothing_is_0() {
    let mut t = Tape::new();
    let c = t.sum(&[]);
    expect("the sum of no values", &t, c, 0.0, &[]);
}

#[test]
fn dot_partials_are_the_other_vector() {
    let mut t = Tape::new();
    let a = [t.leaf(1.0), t.leaf(2.0), t.leaf(3.0)];
    let b = [t.leaf(4.0), t.leaf(-5.0), t.leaf(6.0)];
    let c = t.dot(&a, &b);
    let grads = [
        ("a₀", a[0], 4.0),
        ("a₁", a[1], -5.0),
        ("a₂", a[2], 6.0),
        ("b₀", b[0], 1.0),
        ("b₁", b[1], 2.0),
        ("b₂", b[2], 3.0),
    ];
    expect("a · b for a = [1, 2, 3], b = [4, -5, 6]", &t, c, 12.0, &grads);
}

#[test]
fn dot_of_one_node_matches_the_sum_of_products() {
    let mut t = Tape::new();
    let a: Vec<Var> = [1.5, -2.0, 0.25].iter().map(|&x| t.leaf(x)).collect();
    let b: Vec<Var> = [4.0, 0.5, -8.0].iter().map(|&x| t.leaf(x)).collect();
    let (nodes, edges) = (t.len(), t.edge_count());
    let d = t.dot(&a, &b);
    assert_eq!(
        (t.len() - nodes, t.edge_count() - edges),
        (1, 6),
        "dot records one node with two edges per term: (new nodes, new edges)"
    );
    assert_eq!(
        t.value(d),
        1.5 * 4.0 + -2.0 * 0.5 + 0.25 * -8.0,
        "dot adds the products from 0, left to right"
    );
}

// ---------------------------------------------------------------------------------------------
// The tape and backward
// ---------------------------------------------------------------------------------------------

#[test]
fn tape_order_is_creation_order() {
    let mut t = Tape::new();
    let a = t.leaf(1.0);
    let b = t.leaf(2.0);
    let c = t.add(a, b);
    assert_eq!((a.index(), b.index(), c.index()), (0, 1, 2), "nodes are numbered in the order recorded");
    assert_eq!((t.len(), t.edge_count()), (3, 2), "a + b is one node with two edges: (nodes, edges)");
    assert_eq!(t.children(c), &[(a, 1.0), (b, 1.0)], "a + b records (child, local derivative) for a, then b");
    assert!(t.children(a).is_empty(), "a leaf has no children");
}

#[test]
fn clear_forgets_nodes() {
    let mut t = Tape::new();
    let a = t.leaf(1.0);
    t.exp(a);
    t.clear();
    assert!(t.is_empty());
    assert_eq!(t.edge_count(), 0);
    assert_eq!(t.leaf(5.0).index(), 0);
}

#[test]
fn fan_out_d_a_times_a_da_is_2a() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.mul(a, a);
    expect("a · a at a = 3: a is used twice, and both uses add up", &t, c, 9.0, &[("a", a, 6.0)]);
}

#[test]
fn fan_out_d_a_plus_a_da_is_2() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.add(a, a);
    expect("a + a at a = 3: a is used twice, and both uses add up", &t, c, 6.0, &[("a", a, 2.0)]);
}

#[test]
fn fan_out_dot_of_x_with_itself_has_derivative_2x() {
    // rms_norm computes Σ xᵢ² as dot(x, x): every input is both factors of its product.
    let mut t = Tape::new();
    let x = [t.leaf(3.0), t.leaf(-0.5)];
    let c = t.dot(&x, &x);
    expect("x · x at x = [3, -0.5]", &t, c, 9.25, &[("x₀", x[0], 6.0), ("x₁", x[1], -1.0)]);
}

#[test]
fn a_node_reused_across_branches_sums_the_gradient_of_each_branch() {
    // e = c · (c + a) with c = a · b, at a = 2, b = 3: c = 6, e = 6 · 8 = 48.
    // Expanded, e = a²b² + a²b, so ∂e/∂a = 2ab² + 2ab = 48 and ∂e/∂b = 2a²b + a² = 28.
    // On the graph: c reaches e directly and through d = c + a, so ∂e/∂c = d + c = 14, and a
    // reaches e through c and through d: ∂e/∂a = 14 · b + c = 48, ∂e/∂b = 14 · a = 28.
    let mut t = Tape::new();
    let (a, b) = (t.leaf(2.0), t.leaf(3.0));
    let c = t.mul(a, b);
    let d = t.add(c, a);
    let e = t.mul(c, d);
    let grads = [("c", c, 14.0), ("a", a, 48.0), ("b", b, 28.0)];
    expect("e = c · (c + a) with c = a · b, at a = 2, b = 3", &t, e, 48.0, &grads);
}

#[test]
fn the_root_has_gradient_1_and_a_leaf_it_does_not_use_has_gradient_0() {
    let mut t = Tape::new();
    let (a, unused) = (t.leaf(3.0), t.leaf(7.0));
    let c = t.exp(a);
    expect(
        "eᵃ at a = 3, beside a leaf it does not use",
        &t,
        c,
        math::exp(3.0),
        &[("(the root itself)", c, 1.0), ("unused", unused, 0.0)],
    );
}

#[test]
fn nodes_after_the_root_get_no_gradient() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let b = t.mul(a, a);
    let c = t.mul(b, a);
    expect(
        "b = a · a at a = 3, with c = b · a recorded after it",
        &t,
        b,
        9.0,
        &[("a", a, 6.0), ("c", c, 0.0)],
    );
}

#[test]
fn micrograd_readme_example_gives_micrograd_and_pytorch_values() {
    // The expression from micrograd's README and test_engine.py, where PyTorch confirms
    // g = 24.7041, ∂g/∂a = 138.8338, ∂g/∂b = 645.5773. The full-precision values are those of
    // micrograd's `Value` semantics run in CPython 3.11; the tape reproduces them bit for bit.
    let mut t = Tape::new();
    let (one, two, three, ten) = (t.leaf(1.0), t.leaf(2.0), t.leaf(3.0), t.leaf(10.0));
    let (a, b) = (t.leaf(-4.0), t.leaf(2.0));
    // c = a + b; c += c + 1; c += 1 + c + (-a)
    let c = t.add(a, b);
    let c_plus_1 = t.add(c, one);
    let c = t.add(c, c_plus_1);
    let one_plus_c = t.add(one, c);
    let minus_a = t.neg(a);
    let rhs = t.add(one_plus_c, minus_a);
    let c = t.add(c, rhs);
    // d = a * b + b**3; d += d * 2 + (b + a).relu(); d += 3 * d + (b - a).relu()
    let ab = t.mul(a, b);
    let b_cubed = t.pow(b, 3.0);
    let d = t.add(ab, b_cubed);
    let d_times_2 = t.mul(d, two);
    let b_plus_a = t.add(b, a);
    let relu_b_plus_a = t.relu(b_plus_a);
    let rhs = t.add(d_times_2, relu_b_plus_a);
    let d = t.add(d, rhs);
    let three_d = t.mul(three, d);
    let b_minus_a = t.sub(b, a);
    let relu_b_minus_a = t.relu(b_minus_a);
    let rhs = t.add(three_d, relu_b_minus_a);
    let d = t.add(d, rhs);
    // e = c - d; f = e**2; g = f / 2.0; g += 10.0 / f
    let e = t.sub(c, d);
    let f = t.pow(e, 2.0);
    let g = t.div(f, two);
    let ten_over_f = t.div(ten, f);
    let g = t.add(g, ten_over_f);
    let grads = [("a", a, 138.83381924198252), ("b", b, 645.5772594752186)];
    expect("micrograd's README expression at a = -4, b = 2", &t, g, 24.70408163265306, &grads);
}

// ---------------------------------------------------------------------------------------------
// Each operation against central differences
// ---------------------------------------------------------------------------------------------

#[test]
fn add_matches_central_differences() {
    let agreement = check_on_tape("`a + b`", named(&[("a", 0.3), ("b", -1.2)]), |t, x| t.add(x[0], x[1]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn mul_matches_central_differences() {
    let agreement = check_on_tape("`a · b`", named(&[("a", 0.7), ("b", -1.9)]), |t, x| t.mul(x[0], x[1]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn pow_with_an_integer_exponent_matches_central_differences() {
    let agreement = check_on_tape("`a³` (pow)", named(&[("a", 1.3)]), |t, x| t.pow(x[0], 3.0));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn pow_with_a_negative_fractional_exponent_matches_central_differences() {
    // rms_norm raises mean(x²) + ε to the power -0.5.
    let agreement = check_on_tape("`a^-0.5` (pow)", named(&[("a", 0.8)]), |t, x| t.pow(x[0], -0.5));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn exp_matches_central_differences() {
    let agreement = check_on_tape("`eᵃ` (exp)", named(&[("a", -0.4)]), |t, x| t.exp(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn log_matches_central_differences() {
    let agreement = check_on_tape("`ln a` (log)", named(&[("a", 0.6)]), |t, x| t.log(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn relu_of_a_positive_input_matches_central_differences() {
    let agreement = check_on_tape("`max(0, a)` (relu)", named(&[("a", 0.8)]), |t, x| t.relu(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn relu_of_a_negative_input_matches_central_differences() {
    let agreement = check_on_tape("`max(0, a)` (relu)", named(&[("a", -0.8)]), |t, x| t.relu(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn neg_matches_central_differences() {
    let agreement = check_on_tape("`-a` (neg)", named(&[("a", 0.45)]), |t, x| t.neg(x[0]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn sub_matches_central_differences() {
    let agreement = check_on_tape("`a - b`", named(&[("a", 0.3), ("b", -1.2)]), |t, x| t.sub(x[0], x[1]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn div_matches_central_differences() {
    let agreement = check_on_tape("`a / b`", named(&[("a", 0.7), ("b", -1.9)]), |t, x| t.div(x[0], x[1]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn sum_matches_central_differences() {
    let agreement = check_on_tape("`Σ xᵢ` (sum)", vector("x", &[0.7, -1.9, 0.2]), |t, x| t.sum(x));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn dot_matches_central_differences() {
    let inputs = [vector("a", &[0.7, -1.9, 0.2]), vector("b", &[1.1, 0.5, -0.3])].concat();
    let agreement = check_on_tape("`Σ aᵢ·bᵢ` (dot)", inputs, |t, x| t.dot(&x[..3], &x[3..]));
    assert!(agreement.holds(), "{agreement}");
}

#[test]
fn a_reused_node_matches_central_differences() {
    // e = c · (c + a) with c = a · b: c and a each reach e along two paths.
    let agreement =
        check_on_tape("`c · (c + a)` with c = a · b", named(&[("a", 0.7), ("b", -1.9)]), |t, x| {
            let c = t.mul(x[0], x[1]);
            let d = t.add(c, x[0]);
            t.mul(c, d)
        });
    assert!(agreement.holds(), "{agreement}");
}
