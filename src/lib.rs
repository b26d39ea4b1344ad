//! # microgpt: a complete GPT in Rust, from scalar autograd to sampling
//!
//! The modules follow the order in which the book teaches them:
//!
//! 1. [`rng`]: seeded randomness, passed in explicitly.
//! 2. [`python_random`]: a random source that reproduces CPython's `random` module bit for bit.

pub mod python_random;
pub mod rng;
