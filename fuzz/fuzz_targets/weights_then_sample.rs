//! The promise the checkpoint loader relies on, with the weights chosen by the fuzzer: any model
//! within the size limits whose weights are all within `WEIGHT_LIMIT` samples without error on both
//! engines, from any generator state. `load_then_sample` reaches few valid checkpoints by mutating
//! JSON; this target builds the model directly, so every input is one.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use microgpt::engine::{Engine, ScalarEngine};
use microgpt::fused::FusedEngine;
use microgpt::model::{Config, Gpt, WEIGHT_LIMIT};
use microgpt::python_random::PyRandom;
use microgpt::rng::{ChaCha, RandomSource, RngState};
use microgpt::sample::{Temperature, sample};

#[derive(Debug, Arbitrary)]
struct Input {
    vocab: u8,
    n_layer: u8,
    n_head: u8,
    head_dim: u8,
    block_size: u8,
    /// Raw bit patterns, folded into [-WEIGHT_LIMIT, WEIGHT_LIMIT] below; repeated to fill the model.
    weights: Vec<u64>,
    temperature: f64,
    seed: u64,
    word_pos: u64,
    python: bool,
}

fuzz_target!(|input: Input| {
    // Small shapes, so that each input runs in a millisecond or two under the sanitizer.
    let config = Config::new(
        2 + usize::from(input.vocab % 16),
        1 + usize::from(input.n_layer % 2),
        usize::from(1 + input.n_head % 3) * usize::from(1 + input.head_dim % 4),
        usize::from(1 + input.n_head % 3),
        1 + usize::from(input.block_size % 8),
    )
    .expect("small shapes are valid");
    if input.weights.is_empty() {
        return;
    }
    let weights: Vec<f64> = (0..config.n_params())
        .map(|i| {
            let w = f64::from_bits(input.weights[i % input.weights.len()]);
            if w.is_nan() { 0.0 } else { w.clamp(-WEIGHT_LIMIT, WEIGHT_LIMIT) }
        })
        .collect();
    let model = Gpt::from_params(config, weights).expect("weights within the limit are accepted");
    let Ok(t) = Temperature::new(input.temperature) else {
        return;
    };
    if input.python {
        let state = RngState::Python { state: vec![input.seed as u32; 624], index: 624, spare: None };
        let rng = PyRandom::resume(&state).unwrap();
        names(&model, ScalarEngine::new(), rng.clone(), t);
        names(&model, FusedEngine::new(), rng, t);
    } else {
        let state = RngState::ChaCha { seed: input.seed, word_pos: u128::from(input.word_pos), spare: None };
        let rng = ChaCha::resume(&state).unwrap();
        names(&model, ScalarEngine::new(), rng.clone(), t);
        names(&model, FusedEngine::new(), rng, t);
    }
});

fn names<E: Engine, R: RandomSource>(model: &Gpt, mut engine: E, mut rng: R, t: Temperature) {
    sample(model, &mut engine, t, &mut rng).expect("weights within the limit give finite logits");
}
