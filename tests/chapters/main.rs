//! The tests of the chapters that build the GPT, one module per chapter, named as the chapters'
//! doctests are: `cargo test ch04` runs chapter 4's tests here and the examples of chapter 4.
//!
//! They are also the tests of the reader's workbook (`cargo run -p microgpt-workbook -- new DIR`
//! copies `tests/chapters/` into it, and `cargo test ch04` there runs them against the
//! reader's code). So they use only the crate's public API, their messages say what is wrong in the
//! chapter's terms, and each chapter's tests call only what that chapter and the earlier ones
//! build: chapter 5 runs the forward pass on the fused engine, whose attention is its own, because
//! attention on the tape comes in chapter 6, and the tests of training (9) sample nothing (10).
//! CI checks that order: `.ci/workbook.sh`.

mod common;
mod gradcheck;

mod ch02_autograd;
mod ch03_tokenizer;
mod ch04_building_blocks;
mod ch05_model;
mod ch06_attention;
mod ch07_loss;
mod ch08_adam;
mod ch09_training;
mod ch10_sampling;
mod ch11_pipeline;
