//! # microgpt: a complete GPT in Rust, from scalar autograd to sampling
//!
//! The modules follow the order in which the book teaches them:
//!
//! 1. Seeded randomness, passed in explicitly: [`rng`].
//! 2. The autograd tape, where numbers remember how they were made: [`value`].
//! 3. Characters to token ids, with BOS at both ends: [`tokenizer`].
//! 4. Linear, softmax, rms_norm and attention on the tape, and the [`nn::Engine`] trait: [`nn`].
//! 5. The named weight matrices and the GPT forward pass with a KV cache: [`params`], [`model`].
//! 6. The mean cross-entropy of one document: [`loss`].
//! 7. Adam: [`optim`].
//! 8. The training loop, reporting through a callback: [`train`].
//! 9. Generating new documents at a temperature: [`sample`].
//! 10. The same model, many times faster, with one node per vector operation: [`fused`].
//!
//! Beside them: [`python_random`] reproduces CPython's `random` module bit for bit; [`error`] names
//! everything that can be wrong with user input. At the edge, the only modules that touch files:
//! [`data`] reads corpora (and holds the built-in one) and [`checkpoint`] saves and loads trained
//! models, and [`figures`] draws the book's figures from seeded runs and writes them as SVG. The
//! command line lives in the binary (`src/main.rs`, `src/cli.rs`).

pub mod checkpoint;
pub mod data;
pub mod error;
pub mod figures;
pub mod fused;
pub mod loss;
pub mod model;
pub mod nn;
pub mod optim;
pub mod params;
pub mod python_random;
pub mod rng;
pub mod sample;
pub mod tokenizer;
pub mod train;
pub mod value;

pub use error::{Error, Result};
