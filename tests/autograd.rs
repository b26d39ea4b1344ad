//! The tape's operations against values and derivatives worked out by hand (chapter 2).
//!
//! Every input here is a small dyadic number, so most results are exact in `f64` and are compared
//! with `assert_eq!`. Where a result involves `exp` or `ln`, the expected value is the same libm call
//! the hand derivation names (∂eᵃ/∂a = eᵃ), so equality is still exact.

use microgpt::math;
use microgpt::value::{Tape, Var};

/// The value of `root` and its derivative with respect to each of `wrt`.
fn value_and_grads(tape: &Tape, root: Var, wrt: &[Var]) -> (f64, Vec<f64>) {
    let g = tape.backward(root);
    (tape.value(root), wrt.iter().map(|&v| g[v]).collect())
}

#[test]
fn add_is_the_sum_and_both_partials_are_1() {
    let mut t = Tape::new();
    let (a, b) = (t.leaf(3.0), t.leaf(-2.0));
    let c = t.add(a, b);
    assert_eq!(value_and_grads(&t, c, &[a, b]), (1.0, vec![1.0, 1.0]));
}

#[test]
fn mul_is_the_product_and_each_partial_is_the_other_factor() {
    let mut t = Tape::new();
    let (a, b) = (t.leaf(3.0), t.leaf(-2.0));
    let c = t.mul(a, b);
    assert_eq!(value_and_grads(&t, c, &[a, b]), (-6.0, vec![-2.0, 3.0]));
}

#[test]
fn pow_2_of_3_is_9_with_derivative_2a_equal_6() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.pow(a, 2.0);
    assert_eq!(value_and_grads(&t, c, &[a]), (9.0, vec![6.0]));
}

#[test]
fn pow_minus_1_of_4_is_a_quarter_with_derivative_minus_a_to_the_minus_2() {
    let mut t = Tape::new();
    let a = t.leaf(4.0);
    let c = t.pow(a, -1.0);
    assert_eq!(value_and_grads(&t, c, &[a]), (0.25, vec![-0.0625]));
}

#[test]
fn pow_one_half_of_4_is_2_with_derivative_one_over_2_sqrt_a() {
    let mut t = Tape::new();
    let a = t.leaf(4.0);
    let c = t.pow(a, 0.5);
    assert_eq!(value_and_grads(&t, c, &[a]), (2.0, vec![0.25]));
}

#[test]
fn exp_has_its_own_value_as_derivative() {
    let mut t = Tape::new();
    let a = t.leaf(0.75);
    let c = t.exp(a);
    assert_eq!(value_and_grads(&t, c, &[a]), (math::exp(0.75), vec![math::exp(0.75)]));
}

#[test]
fn log_of_4_has_derivative_one_over_a_equal_a_quarter() {
    let mut t = Tape::new();
    let a = t.leaf(4.0);
    let c = t.log(a);
    assert_eq!(value_and_grads(&t, c, &[a]), (math::ln(4.0), vec![0.25]));
}

#[test]
fn relu_passes_a_positive_input_and_its_gradient() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.relu(a);
    assert_eq!(value_and_grads(&t, c, &[a]), (3.0, vec![1.0]));
}

#[test]
fn relu_zeroes_a_negative_input_and_its_gradient() {
    let mut t = Tape::new();
    let a = t.leaf(-2.0);
    let c = t.relu(a);
    assert_eq!(value_and_grads(&t, c, &[a]), (0.0, vec![0.0]));
}

#[test]
fn relu_at_zero_has_derivative_0_as_in_microgpt() {
    // microgpt.py's local derivative is `float(self.data > 0)`: the kink takes the left slope.
    let mut t = Tape::new();
    let a = t.leaf(0.0);
    let c = t.relu(a);
    assert_eq!(value_and_grads(&t, c, &[a]), (0.0, vec![0.0]));
}

#[test]
fn neg_flips_the_sign_with_derivative_minus_1() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.neg(a);
    assert_eq!(value_and_grads(&t, c, &[a]), (-3.0, vec![-1.0]));
}

#[test]
fn sub_has_partials_1_and_minus_1() {
    let mut t = Tape::new();
    let (a, b) = (t.leaf(3.0), t.leaf(-2.0));
    let c = t.sub(a, b);
    assert_eq!(value_and_grads(&t, c, &[a, b]), (5.0, vec![1.0, -1.0]));
}

#[test]
fn div_has_partials_one_over_b_and_minus_a_over_b_squared() {
    let mut t = Tape::new();
    let (a, b) = (t.leaf(3.0), t.leaf(-2.0));
    let c = t.div(a, b);
    assert_eq!(value_and_grads(&t, c, &[a, b]), (-1.5, vec![-0.5, -0.75]));
}

#[test]
fn sum_adds_every_input_and_each_partial_is_1() {
    let mut t = Tape::new();
    let xs = [t.leaf(1.0), t.leaf(2.0), t.leaf(-4.5)];
    let c = t.sum(&xs);
    assert_eq!(value_and_grads(&t, c, &xs), (-1.5, vec![1.0, 1.0, 1.0]));
}

#[test]
fn sum_of_nothing_is_0() {
    let mut t = Tape::new();
    let c = t.sum(&[]);
    assert_eq!(t.value(c), 0.0);
}

#[test]
fn dot_partials_are_the_other_vector() {
    let mut t = Tape::new();
    let a = [t.leaf(1.0), t.leaf(2.0), t.leaf(3.0)];
    let b = [t.leaf(4.0), t.leaf(-5.0), t.leaf(6.0)];
    let c = t.dot(&a, &b);
    let all = [a, b].concat();
    assert_eq!(value_and_grads(&t, c, &all), (12.0, vec![4.0, -5.0, 6.0, 1.0, 2.0, 3.0]));
}

#[test]
fn fan_out_d_a_times_a_da_is_2a() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.mul(a, a);
    assert_eq!(value_and_grads(&t, c, &[a]), (9.0, vec![6.0]));
}

#[test]
fn fan_out_d_a_plus_a_da_is_2() {
    let mut t = Tape::new();
    let a = t.leaf(3.0);
    let c = t.add(a, a);
    assert_eq!(value_and_grads(&t, c, &[a]), (6.0, vec![2.0]));
}

#[test]
fn fan_out_dot_of_x_with_itself_has_derivative_2x() {
    // rms_norm computes Σ xᵢ² as dot(x, x): every input is both factors of its product.
    let mut t = Tape::new();
    let x = [t.leaf(3.0), t.leaf(-0.5)];
    let c = t.dot(&x, &x);
    assert_eq!(value_and_grads(&t, c, &x), (9.25, vec![6.0, -1.0]));
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
    assert_eq!(value_and_grads(&t, e, &[c, a, b]), (48.0, vec![14.0, 48.0, 28.0]));
}

#[test]
fn the_root_has_gradient_1_and_a_leaf_it_does_not_use_has_gradient_0() {
    let mut t = Tape::new();
    let (a, unused) = (t.leaf(3.0), t.leaf(7.0));
    let c = t.exp(a);
    assert_eq!(value_and_grads(&t, c, &[c, unused]), (math::exp(3.0), vec![1.0, 0.0]));
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
    assert_eq!(
        value_and_grads(&t, g, &[a, b]),
        (24.70408163265306, vec![138.83381924198252, 645.5772594752186])
    );
}
