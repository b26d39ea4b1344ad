//! # One door for transcendental functions: the same bits on every machine
//!
//! IEEE 754 fixes the result of the basic operations to the last bit: `+`, `−`, `×`, `÷` and `√`
//! (and conversions, comparisons, `min`, `max`, `abs`) must return the exact result rounded to the
//! nearest `f64`, so every conforming machine computes the same bits for them. It does not fix
//! `exp`, `ln`, `pow`, `sin` or `cos`: the standard only recommends correct rounding for them, and no
//! common C library promises it. glibc, musl, Apple's and Microsoft's libraries each round some
//! results differently in the last bit, and Rust's `f64::exp` and friends call whichever library the
//! platform has (on WebAssembly, Rust brings its own). A seeded run that uses them gives one loss on
//! Linux with glibc and another, a few units in the last place away, on Alpine, macOS, Windows or in
//! a browser; after a thousand training steps the difference shows in the fourth decimal of a
//! figure.
//!
//! So every transcendental function the crate computes with goes through this module, which calls
//! the `libm` crate: a pure-Rust port of musl's math library, maintained by the Rust project and
//! pinned to one exact version in `Cargo.toml`. It is plain `f64` arithmetic, the same code on every
//! target, so it gives the same bits on every target; it is also the code Rust's standard library
//! already runs on WebAssembly, so the book's in-page model computes exactly what `cargo test`
//! checks. clippy's `disallowed-methods` (in `clippy.toml`) rejects a direct call of `f64::exp` and
//! the other platform functions anywhere else, and `tests/book.rs` does the same for the chapters'
//! examples, which clippy does not read.
//!
//! The price: `libm` is not correctly rounded either, so it agrees with glibc (and so with CPython on
//! Linux, which microgpt.py's published runs used) on most inputs but not all; chapter 13 measures
//! what that changes. A correctly rounded library would agree with glibc even more often; the one
//! measured (`pxfm`) adds about 86 KB of WebAssembly to `libm`'s 12 KB and picks its code path by
//! CPU feature at run time.
//!
//! The softmax of plain numbers lives here too: it is the one computation on plain `f64`s that both
//! sampling and the fused engine need, and it is built from [`exp`].
//!
//! `f64::mul_add` is not used either, although IEEE 754 fixes it too: a fused multiply-add rounds
//! `a·b + c` once where microgpt.py rounds twice (after the product and after the sum), so it
//! would compute different numbers, and on a processor without an FMA instruction it is a slow
//! software routine. Rust never fuses `a * b + c` on its own, so the arithmetic is what is written.

/// `eˣ`.
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// The natural logarithm `ln x`.
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// The base-10 logarithm (for the figures' logarithmic axes).
pub fn log10(x: f64) -> f64 {
    libm::log10(x)
}

/// `xʸ`.
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// The sine of `x` radians.
pub fn sin(x: f64) -> f64 {
    libm::sin(x)
}

/// The cosine of `x` radians.
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

// ANCHOR: softmax
/// `softmax(x)ᵢ = exp(xᵢ - m) / Σⱼ exp(xⱼ - m)` on plain numbers, with exactly the arithmetic of
/// [`nn::softmax`](crate::nn::softmax) on the tape: for sampling, and for the fused engine, where no
/// graph is recorded.
pub fn softmax(logits: &[f64]) -> Vec<f64> {
    let mut probs = logits.to_vec();
    softmax_in_place(&mut probs);
    probs
}

/// [`softmax`] overwriting its input: shift by the max, exponentiate, and multiply by the
/// reciprocal of the total folded left to right.
pub fn softmax_in_place(xs: &mut [f64]) {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for x in xs.iter_mut() {
        *x = exp(*x - max);
        total += *x;
    }
    let inv_total = 1.0 / total;
    for x in xs.iter_mut() {
        *x *= inv_total;
    }
}
// ANCHOR_END: softmax

// ANCHOR: exp_in_range
/// `exp(x)` with the operations, in order, of `libm::exp` (FreeBSD's `e_exp.c`), which
/// [`exp`] is, for every `x` whose magnitude is below 708.39 (the others are `libm::exp`'s
/// special cases: overflow, underflow, infinities and NaN, left to [`exp`]; see [`in_exp_range`]).
///
/// libm chooses between three argument reductions and a shortcut for tiny `x` with branches; here
/// every one is computed and the right one selected, so that a loop over many `x` has no branch
/// and the compiler computes four or eight of them per instruction. Each selected value went
/// through the same operations as in libm, so it has the same bits, and `scalbn(y, k)` is libm's one
/// multiplication by `2ᵏ` (for `|k| ≤ 1022`, which `|x| < 708.39` ensures).
#[inline(always)]
pub(crate) fn exp_in_range(x: f64) -> f64 {
    // libm's constants, by their bits.
    const LN2HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // 6.93147180369123816490e-01
    const LN2LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // 1.90821492927058770002e-10
    const INVLN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe); // 1.44269504088896338700e+00
    const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e); // 1.66666666666666019037e-01
    const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93); // -2.77777777770155933842e-03
    const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c); // 6.61375632143793436117e-05
    const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1); // -1.65339022054652515390e-06
    const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0); // 4.13813679705723846039e-08
    let bits = x.to_bits();
    let hx = (bits >> 32) as u32 & 0x7fff_ffff;
    let negative = bits >> 63 == 1;
    // |x| ≥ 1.5 ln 2: k = ⌊x/ln 2 ± ½⌉ (truncated); 0.5 ln 2 < |x| < 1.5 ln 2: k = ±1.
    let k_far = (INVLN2 * x + if negative { -0.5 } else { 0.5 }) as i32;
    let k_near = if negative { -1 } else { 1 };
    let reduced = hx > 0x3fd6_2e42;
    let k = match (reduced, hx >= 0x3ff0_a2b2) {
        (false, _) => 0,
        (true, true) => k_far,
        (true, false) => k_near,
    };
    let hi = if reduced { x - f64::from(k) * LN2HI } else { x };
    let lo = if reduced { f64::from(k) * LN2LO } else { 0.0 };
    let r = if reduced { hi - lo } else { x };
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1. + (r * c / (2. - c) - lo + hi);
    let scaled = y * f64::from_bits(((0x3ff + k) as u64) << 52);
    // |x| ≤ 2⁻²⁸: libm returns 1 + x.
    if hx <= 0x3e30_0000 {
        1. + x
    } else if k == 0 {
        y
    } else {
        scaled
    }
}

/// Whether [`exp_in_range`] computes `exp(x)` with libm's bits: `|x|` below 708.39, read off the
/// high word of its bits as libm reads it.
#[inline(always)]
pub(crate) fn in_exp_range(x: f64) -> bool {
    (x.to_bits() >> 32) as u32 & 0x7fff_ffff < 0x4086_232b
}
// ANCHOR_END: exp_in_range

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_in_range_has_the_bits_of_libm_exp() {
        let mut rng = crate::rng::ChaCha::seed(7);
        let mut uniform = || crate::rng::RandomSource::random(&mut rng);
        let mut xs = vec![0.0, -0.0, 1e-300, -1e-300, 3.7e-9, -3.7e-9, 708.39, -708.39, 0.3465, -0.3466];
        // Each branch of libm's argument reduction, and its edges.
        for edge in [0x3e30_0000u64, 0x3fd6_2e42, 0x3ff0_a2b2, 0x4086_232a] {
            for low in [0u64, 1, 0xffff_ffff, 0x8000_0000] {
                let x = f64::from_bits(edge << 32 | low);
                xs.extend([x, -x, f64::from_bits(x.to_bits() + 1), -f64::from_bits(x.to_bits() - 1)]);
            }
        }
        for _ in 0..200_000 {
            let u = uniform();
            xs.push((2.0 * u - 1.0) * 708.0);
            xs.push(-50.0 * uniform());
            xs.push((2.0 * uniform() - 1.0) * 2.0);
            xs.push((2.0 * uniform() - 1.0) * 1e-7);
        }
        for x in xs {
            if in_exp_range(x) {
                assert_eq!(exp_in_range(x).to_bits(), exp(x).to_bits(), "exp({x:e})");
            }
        }
    }

    #[test]
    fn exact_cases_are_exact() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(log10(1000.0), 3.0);
        assert_eq!(pow(4.0, -0.5), 0.5);
        assert_eq!(pow(0.85, 1.0), 0.85);
        assert_eq!((sin(0.0), cos(0.0)), (0.0, 1.0));
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
    }

    #[test]
    fn pinned_bits_catch_a_change_of_library() {
        // The bits libm 0.2.16 gives on every target. Another version or library that rounds any of
        // these differently fails here first, before the seeded outputs it would move. sin(2.5) is
        // one of the inputs where glibc rounds the other way (its last hex digit is 1).
        assert_eq!(exp(-1.0).to_bits(), 0x3fd7_8b56_362c_ef38);
        assert_eq!(ln(27.0).to_bits(), 0x400a_5ddf_b803_8490);
        assert_eq!(pow(0.99, 1000.0).to_bits(), 0x3f06_a258_c41b_e10e);
        assert_eq!(sin(2.5).to_bits(), 0x3fe3_26af_0dcf_cab0);
        assert_eq!(cos(2.5).to_bits(), 0xbfe9_a2f7_ef85_8b7d);
    }
}
