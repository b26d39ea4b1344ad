//! Checkpoints: a saved model loads back bit for bit, and every way a file can be wrong is named by
//! its field.

use microgpt::Error;
use microgpt::checkpoint::{Checkpoint, Training};
use microgpt::engine::ScalarEngine;
use microgpt::files::write_atomic;
use microgpt::model::{Config, Gpt};
use microgpt::rng::{ChaCha, Resumable};
use microgpt::sample::{Temperature, sample};
use microgpt::tokenizer::Tokenizer;
use microgpt::train::{Prepared, TrainOptions, prepare, train};

const DOCS: [&str; 6] = ["emma", "olivia", "ava", "isabella", "sophia", "mia"];

/// A model trained for 20 steps on six names, and its checkpoint.
fn trained() -> (Gpt, Tokenizer, Checkpoint) {
    let docs = DOCS.iter().map(|d| d.to_string()).collect();
    let mut rng = ChaCha::seed(3);
    let Prepared { tokenizer, docs, mut model } = prepare(docs, &mut rng, Config::reference).unwrap();
    let options = TrainOptions { steps: 20, ..TrainOptions::default() };
    let mut final_loss = None;
    train(&mut model, &mut ScalarEngine::new(), &docs, &options, |r| final_loss = Some(r.loss)).unwrap();
    let training = Training::new(&options, 3, rng.state(), "six names".into(), DOCS.len(), final_loss);
    let checkpoint = Checkpoint::new(&model, &tokenizer, training);
    (model, tokenizer, checkpoint)
}

/// The error of loading `checkpoint` after `edit`.
fn error_after(edit: impl FnOnce(&mut Checkpoint)) -> String {
    let (_, _, mut checkpoint) = trained();
    edit(&mut checkpoint);
    Checkpoint::from_json(checkpoint.to_json().as_bytes()).and_then(|c| c.model()).unwrap_err().to_string()
}

fn names(model: &Gpt, tokenizer: &Tokenizer, seed: u64) -> Vec<String> {
    let mut rng = ChaCha::seed(seed);
    let mut engine = ScalarEngine::new();
    (0..10)
        .map(|_| tokenizer.decode(&sample(model, &mut engine, Temperature::default(), &mut rng).unwrap()))
        .collect()
}

#[test]
fn a_model_survives_json_bit_for_bit() {
    let (model, tokenizer, checkpoint) = trained();
    let loaded = Checkpoint::from_json(checkpoint.to_json().as_bytes()).unwrap();
    assert_eq!(loaded, checkpoint);
    assert_eq!(loaded.model().unwrap(), (model, tokenizer));
}

#[test]
fn a_loaded_model_samples_the_same_names_as_the_trained_one() {
    let (model, tokenizer, checkpoint) = trained();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    checkpoint.save(&path).unwrap();
    let (loaded, loaded_tokenizer) = Checkpoint::load(&path).unwrap().model().unwrap();
    assert_eq!(names(&loaded, &loaded_tokenizer, 11), names(&model, &tokenizer, 11));
}

#[test]
fn awkward_floats_round_trip_exactly() {
    let awkward = [0.1 + 0.2, -0.0, 5e-324, f64::MIN_POSITIVE, f64::MAX, -1.0 / 3.0, 1e-8, 2.0f64.sqrt()];
    let (_, _, mut checkpoint) = trained();
    checkpoint.params[0].data[0][..awkward.len()].copy_from_slice(&awkward);
    let loaded = Checkpoint::from_json(checkpoint.to_json().as_bytes()).unwrap();
    let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&loaded.params[0].data[0][..awkward.len()]), bits(&awkward));
}

#[test]
fn each_matrix_row_is_one_line_of_the_file() {
    let (model, _, checkpoint) = trained();
    let rows: usize = model.params().layout().matrices().iter().map(|(_, m)| m.rows()).sum();
    let row_lines = checkpoint.to_json().lines().filter(|l| l.trim_start().starts_with('[')).count();
    assert_eq!(row_lines, rows);
}

#[test]
fn a_non_finite_weight_is_named_by_its_place() {
    let err = error_after(|c| c.params[3].data[2][7] = f64::NAN);
    // serde_json writes NaN as null, which does not read back as a number.
    assert!(err.starts_with("invalid checkpoint: field `params[3].data[2][7]`: invalid type: null"), "{err}");
}

#[test]
fn a_non_finite_weight_is_not_saved() {
    let (_, _, mut checkpoint) = trained();
    checkpoint.params[3].data[2][7] = f64::INFINITY;
    let dir = tempfile::tempdir().unwrap();
    let err = checkpoint.save(&dir.path().join("m.json")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid checkpoint: field `params[3].data[2][7]`: inf: a weight must be a finite number of magnitude at \
         most 1e64"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn matrices_must_come_in_layout_order() {
    let err = error_after(|c| c.params.swap(4, 5));
    assert_eq!(
        err,
        "invalid checkpoint: field `params[4].name`: expected \"layer0.attn_wk\", found \"layer0.attn_wv\""
    );
}

#[test]
fn a_matrix_of_the_wrong_shape_is_named() {
    let err = error_after(|c| {
        let m = &mut c.params[7];
        (m.rows, m.cols, m.data) = (16, 64, vec![vec![0.0; 64]; 16].into());
        let fc2 = &mut c.params[8];
        (fc2.rows, fc2.cols, fc2.data) = (64, 16, vec![vec![0.0; 16]; 64].into());
    });
    assert_eq!(
        err,
        "invalid checkpoint: field `params[7]`: layer0.mlp_fc1 is 64x16 in this configuration, found 16x64"
    );
}

#[test]
fn a_row_of_the_wrong_length_is_named() {
    let err = error_after(|c| {
        let mut rows: Vec<Vec<f64>> = c.params[1].data.iter().map(<[f64]>::to_vec).collect();
        rows[4].pop();
        c.params[1].data = rows.into();
    });
    assert_eq!(err, "invalid checkpoint: field `params[1].data[4]`: cols is 16, found 15 numbers");
}

#[test]
fn an_unsorted_vocabulary_is_rejected() {
    let err = error_after(|c| c.tokenizer.chars = c.tokenizer.chars.chars().rev().collect());
    assert!(
        err.starts_with("invalid checkpoint: field `tokenizer.chars`: characters must be sorted"),
        "{err}"
    );
}

/// The error of loading the JSON of a checkpoint after `edit`.
fn error_after_editing_json(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let (_, _, checkpoint) = trained();
    let mut json: serde_json::Value = serde_json::from_str(&checkpoint.to_json()).unwrap();
    edit(&mut json);
    Checkpoint::from_json(json.to_string().as_bytes()).and_then(|c| c.model()).unwrap_err().to_string()
}

#[test]
fn an_invalid_config_is_rejected_with_config_news_reason() {
    let err = error_after_editing_json(|j| j["config"]["n_head"] = 5.into());
    assert!(
        err.starts_with(
            "invalid checkpoint: field `config`: n_embd (16) must be divisible by n_head (5) so every head \
             gets an equal slice at line 1 column "
        ),
        "{err}"
    );
}

#[test]
fn a_config_beyond_the_parameter_limit_is_rejected_while_reading() {
    let err = error_after_editing_json(|j| j["config"]["n_layer"] = (1u64 << 60).into());
    assert!(
        err.starts_with(
            "invalid checkpoint: field `config`: the model would have 3.54e21 parameters, more than the limit of \
             16777216 (2^24)"
        ),
        "{err}"
    );
}

#[test]
fn a_config_too_large_for_its_weights_is_rejected_before_allocating() {
    let err = error_after_editing_json(|j| j["config"]["n_layer"] = 1000.into());
    // The six names have 11 characters: vocab 12, so (2·12 + 16)·16 + 12·16²·1000 weights are needed,
    // and 3712 are there. The count is compared before the layout of 1000 layers is built.
    assert_eq!(
        err,
        "invalid checkpoint: field `params`: the configuration needs 3072640 parameters, found 3712"
    );
}

#[test]
fn another_format_is_rejected() {
    let err = error_after(|c| c.format = "safetensors".into());
    assert_eq!(
        err,
        "invalid checkpoint: field `format`: expected \"microgpt-checkpoint\", found \"safetensors\""
    );
}

#[test]
fn an_unknown_rng_is_named() {
    let json = trained().2.to_json().replace("\"chacha\"", "\"mt19937\"");
    let err = Checkpoint::from_json(json.as_bytes()).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "invalid checkpoint: field `training.stream`: unknown variant `mt19937`, expected `chacha` or `python`"
        ),
        "{err}"
    );
}

#[test]
fn write_atomic_replaces_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.txt");
    std::fs::write(&path, "old content that is longer").unwrap();
    write_atomic(&path, b"new").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
}

#[test]
fn a_failed_write_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // Renaming a file over a non-empty directory fails after the temporary file was written.
    std::fs::create_dir_all(dir.path().join("taken/inside")).unwrap();
    let err = write_atomic(&dir.path().join("taken"), b"data").unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["taken"]);
}
