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

#[cfg(test)]
mod tests {
    use super::*;

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
