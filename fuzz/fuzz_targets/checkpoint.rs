//! Checkpoint loading, on any bytes: `from_json` and `model` either refuse them with an error or
//! accept a checkpoint that writes itself back as JSON which loads to the same checkpoint.
#![no_main]

use libfuzzer_sys::fuzz_target;
use microgpt::checkpoint::Checkpoint;

fuzz_target!(|bytes: &[u8]| {
    let Ok(checkpoint) = Checkpoint::from_json(bytes) else {
        return;
    };
    let Ok((model, tokenizer)) = checkpoint.model() else {
        return;
    };
    assert_eq!(model.config().vocab_size(), tokenizer.vocab_size());
    let again = Checkpoint::from_json(checkpoint.to_json().as_bytes()).expect("what loads, saves and loads");
    assert_eq!(again, checkpoint);
    assert_eq!(again.model().expect("and builds the same model").0, model);
});
