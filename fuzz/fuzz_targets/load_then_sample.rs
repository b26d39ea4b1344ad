//! The whole path of `microgpt sample`, on any bytes: a checkpoint that loads continues its saved
//! random stream and samples names with both engines, never failing and never panicking. (Loading
//! is what makes that promise: `sample` returns an error only for non-finite logits, and a model
//! whose weights passed the loader's checks cannot produce them.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use microgpt::checkpoint::Checkpoint;
use microgpt::engine::{Engine, ScalarEngine};
use microgpt::fused::FusedEngine;
use microgpt::model::Gpt;
use microgpt::python_random::PyRandom;
use microgpt::rng::{ChaCha, RandomSource, RngKind};
use microgpt::sample::{Temperature, sample};
use microgpt::tokenizer::Tokenizer;

fuzz_target!(|bytes: &[u8]| {
    let Ok(checkpoint) = Checkpoint::from_json(bytes) else {
        return;
    };
    let Ok((model, tokenizer)) = checkpoint.model() else {
        return;
    };
    let stream = &checkpoint.training.stream;
    for temperature in
        [Temperature::default(), Temperature::new(1e-300).unwrap(), Temperature::new(1e300).unwrap()]
    {
        match stream.kind() {
            RngKind::ChaCha => {
                let rng = ChaCha::resume(stream).expect("a loaded stream resumes");
                names(&model, &tokenizer, ScalarEngine::new(), rng.clone(), temperature);
                names(&model, &tokenizer, FusedEngine::new(), rng, temperature);
            }
            RngKind::Python => {
                let rng = PyRandom::resume(stream).expect("a loaded stream resumes");
                names(&model, &tokenizer, ScalarEngine::new(), rng.clone(), temperature);
                names(&model, &tokenizer, FusedEngine::new(), rng, temperature);
            }
        }
    }
});

/// Samples three names, as `microgpt sample --samples 3` does.
fn names<E: Engine, R: RandomSource>(
    model: &Gpt,
    tokenizer: &Tokenizer,
    mut engine: E,
    mut rng: R,
    t: Temperature,
) {
    for _ in 0..3 {
        let tokens = sample(model, &mut engine, t, &mut rng).expect("a model that loads samples");
        assert!(tokens.len() <= model.config().block_size());
        tokenizer.decode(&tokens);
    }
}
