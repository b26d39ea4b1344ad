//! Chapter 4: `linear`, `softmax` and `rms_norm` on the tape, their values and their gradients.

use crate::common::leaves;
use crate::gradcheck::{check_on_tape, vector, weighted_sum};
use microgpt::math;
use microgpt::nn;
use microgpt::value::Tape;

// ---------------------------------------------------------------------------------------------
// linear
// ---------------------------------------------------------------------------------------------

#[test]
fn linear_multiplies_by_the_matrix() {
    let mut t = Tape::new();
    let x = leaves(&mut t, &[1.0, 2.0]);
    let w = leaves(&mut t, &[1.0, 0.0, 0.5, -1.0, 3.0, 4.0]); // 3 rows of 2, one after another
    let y = nn::linear(&mut t, &x, &w);
    assert_eq!(t.values(&y), vec![1.0, -1.5, 11.0], "W x for W = [[1, 0], [0.5, -1], [3, 4]], x = [1, 2]");
}

#[test]
fn linear_records_one_dot_node_per_output() {
    let mut t = Tape::new();
    let x = leaves(&mut t, &[1.0; 16]);
    let w = leaves(&mut t, &[0.1; 64 * 16]);
    let (nodes, edges) = (t.len(), t.edge_count());
    nn::linear(&mut t, &x, &w);
    assert_eq!(
        (t.len() - nodes, t.edge_count() - edges),
        (64, 64 * 16 * 2),
        "a 64 × 16 linear layer: one `dot` per row, so (64 new nodes, 2,048 new edges)"
    );
}

#[test]
fn linear_matches_central_differences_in_the_input_and_the_weights() {
    // x has 3 entries, W is 2 × 3.
    let inputs = [vector("x", &[0.7, -1.1, 0.2]), vector("W", &[0.5, -0.4, 1.3, -0.9, 0.1, 0.6])].concat();
    let agreement = check_on_tape("linear (through a weighted sum of its outputs)", inputs, |t, xw| {
        let (x, w) = xw.split_at(3);
        let y = nn::linear(t, x, w);
        weighted_sum(t, &y)
    });
    assert!(agreement.holds(), "{agreement}");
}

// ---------------------------------------------------------------------------------------------
// softmax
// ---------------------------------------------------------------------------------------------

#[test]
fn softmax_of_1_2_3_is_e_to_the_logits_over_their_total() {
    let mut t = Tape::new();
    let x = leaves(&mut t, &[1.0, 2.0, 3.0]);
    let p = nn::softmax(&mut t, &x);
    let p = t.values(&p);
    let total = math::exp(1.0) + math::exp(2.0) + math::exp(3.0);
    let want = [math::exp(1.0) / total, math::exp(2.0) / total, math::exp(3.0) / total];
    let close = p.len() == 3 && p.iter().zip(want).all(|(p, w)| (p - w).abs() < 1e-15);
    assert!(close, "softmax([1, 2, 3]) gave {p:?}, expected {want:?}");
}

#[test]
fn softmax_sums_to_one_and_survives_huge_logits() {
    let mut t = Tape::new();
    let x = leaves(&mut t, &[1000.0, 1001.0, 999.0]);
    let p = nn::softmax(&mut t, &x);
    let p = t.values(&p);
    assert!(
        p.iter().all(|v| v.is_finite()),
        "softmax([1000, 1001, 999]) gave {p:?}: e¹⁰⁰⁰ overflows to infinity unless the largest logit is \
         subtracted first"
    );
    assert!(
        (p.iter().sum::<f64>() - 1.0).abs() < 1e-15,
        "softmax([1000, 1001, 999]) sums to {}",
        p.iter().sum::<f64>()
    );
    assert!(p[1] > p[0] && p[0] > p[2], "softmax keeps the order of the logits: {p:?}");
}

#[test]
fn plain_softmax_matches_softmax_on_the_tape_bit_for_bit() {
    // Sampling and the fused engine use `math::softmax`; the engines compute the same losses to the
    // last bit (chapters 13 and 14) only if the tape computes exactly the same arithmetic.
    let logits = [0.3, -1.2, 2.5, 0.0, 7.25];
    let mut t = Tape::new();
    let x = leaves(&mut t, &logits);
    let on_tape = nn::softmax(&mut t, &x);
    let on_tape = t.values(&on_tape);
    assert_eq!(
        on_tape,
        math::softmax(&logits),
        "softmax on the tape must do math::softmax's arithmetic: subtract the max, exp each, sum \
         left to right, then multiply each by 1/total (which is what `tape.div` computes)"
    );
}

#[test]
fn softmax_matches_central_differences() {
    let agreement = check_on_tape(
        "softmax (through a weighted sum of its outputs)",
        vector("x", &[0.3, -1.2, 2.0, 0.5, -0.1]),
        |t, x| {
            let y = nn::softmax(t, x);
            weighted_sum(t, &y)
        },
    );
    assert!(agreement.holds(), "{agreement}");
}

// ---------------------------------------------------------------------------------------------
// rms_norm
// ---------------------------------------------------------------------------------------------

#[test]
fn rms_norm_gives_unit_root_mean_square() {
    let mut t = Tape::new();
    let x = leaves(&mut t, &[3.0, -4.0, 12.0, 0.5]);
    let y = nn::rms_norm(&mut t, &x);
    let y = t.values(&y);
    let rms = (y.iter().map(|v| v * v).sum::<f64>() / 4.0).sqrt();
    // Not exactly 1: the ε inside the root shrinks it by a factor √(ms/(ms+ε)).
    assert!((rms - 1.0).abs() < 1e-6, "rms_norm([3, -4, 12, 0.5]) = {y:?} has a root mean square of {rms}");
}

#[test]
fn rms_norm_of_3_4_divides_by_the_root_of_the_mean_square_plus_eps() {
    let mut t = Tape::new();
    let x = leaves(&mut t, &[3.0, 4.0]);
    let y = nn::rms_norm(&mut t, &x);
    let y = t.values(&y);
    let scale = 1.0 / (12.5 + nn::RMS_NORM_EPS).sqrt(); // mean(x²) = (9 + 16) / 2
    let close = y.len() == 2 && (y[0] - 3.0 * scale).abs() < 1e-15 && (y[1] - 4.0 * scale).abs() < 1e-15;
    assert!(
        close,
        "rms_norm([3, 4]) gave {y:?}, expected [3, 4] / √(12.5 + 1e-5) = {:?}",
        [3.0 * scale, 4.0 * scale]
    );
}

#[test]
fn rms_norm_of_zeros_stays_zero() {
    let mut t = Tape::new();
    let x = leaves(&mut t, &[0.0; 4]);
    let y = nn::rms_norm(&mut t, &x);
    assert_eq!(t.values(&y), [0.0; 4], "rms_norm of zeros: ε keeps the division finite");
}

#[test]
fn rms_norm_matches_central_differences() {
    let agreement = check_on_tape(
        "rms_norm (through a weighted sum of its outputs)",
        vector("x", &[0.7, -1.1, 0.2, 1.9]),
        |t, x| {
            let y = nn::rms_norm(t, x);
            weighted_sum(t, &y)
        },
    );
    assert!(agreement.holds(), "{agreement}");
}
