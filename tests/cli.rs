//! The `microgpt` binary, run as a user runs it: names on stdout, everything else on stderr, and
//! every kind of bad input answered with one line and a non-zero exit code.
//!
//! `cargo test` builds the binary with the test profile (opt-level 3, see Cargo.toml), so even the
//! default 1000-step run takes well under a second here.

use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;

mod common;

use common::{Run, assert_fails_starting_with, dir_with};

/// Runs `microgpt args…` in `dir`, with no stdin.
fn microgpt_in(dir: &Path, args: &[&str]) -> Run {
    common::run_in(env!("CARGO_BIN_EXE_microgpt"), dir, args)
}

fn microgpt(args: &[&str]) -> Run {
    microgpt_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Asserts the run failed with exit code 1, printed nothing on stdout, and printed exactly
/// `error: {message}` as the one line on stderr.
#[track_caller]
fn assert_fails_with(run: &Run, message: &str) {
    assert_eq!(run.stderr, format!("error: {message}\n"), "stderr");
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "exit code and stdout");
}

/// A checkpoint trained for 5 steps, in a fresh directory.
fn trained_checkpoint() -> (TempDir, PathBuf) {
    let dir = dir_with(&[]);
    let run = microgpt_in(dir.path(), &["--steps", "5", "--samples", "0", "--save", "m.json", "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = dir.path().join("m.json");
    (dir, path)
}

/// The checkpoint at `path`, changed by `edit` and written back.
fn edit_checkpoint(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut json);
    std::fs::write(path, serde_json::to_vec(&json).unwrap()).unwrap();
}

fn sample_from(dir: &TempDir) -> Run {
    microgpt_in(dir.path(), &["sample", "--model", "m.json", "--samples", "3"])
}

// ---------------------------------------------------------------------------------------------------
// The happy path

#[test]
fn plain_microgpt_trains_on_the_builtin_names_and_prints_20_names() {
    let run = microgpt(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 20, "{}", run.stdout);
    assert!(run.stdout.lines().all(|l| l.chars().all(|c| c.is_ascii_lowercase())), "{}", run.stdout);
    assert!(run.stderr.contains("32,000 documents from built-in names"), "{}", run.stderr);
    assert!(run.stderr.contains("model: 4,192 parameters"), "{}", run.stderr);
    assert!(run.stderr.contains("trained 1000 steps"), "{}", run.stderr);
}

#[test]
fn the_readme_shows_the_names_the_default_run_prints() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let run = microgpt(&["-q"]);
    assert!(
        readme.contains(&run.stdout),
        "README.md shows other names than `cargo run` prints:\n{}",
        run.stdout
    );
}

#[test]
fn run_is_the_default_subcommand() {
    let plain = microgpt(&["--steps", "5", "--samples", "4"]);
    let run = microgpt(&["run", "--steps", "5", "--samples", "4"]);
    assert_eq!(plain.stdout, run.stdout);
    assert_eq!(plain.stdout.lines().count(), 4);
}

#[test]
fn without_a_terminal_stderr_gets_progress_lines_and_no_bar() {
    let run = microgpt(&["--steps", "20", "--samples", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("step 20/20: loss "), "{}", run.stderr);
    assert!(run.stderr.contains("mean of last 20 "), "{}", run.stderr);
    assert!(!run.stderr.contains(['\r', '\x1b']), "terminal control codes in {:?}", run.stderr);
}

#[test]
fn quiet_leaves_stderr_empty() {
    let run = microgpt(&["--steps", "5", "--samples", "2", "--quiet"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout.lines().count(), 2);
}

#[test]
fn the_same_seed_gives_the_same_names_and_another_seed_others() {
    let a = microgpt(&["--steps", "5", "--samples", "5", "--seed", "7"]);
    let b = microgpt(&["--steps", "5", "--samples", "5", "--seed", "7"]);
    let c = microgpt(&["--steps", "5", "--samples", "5", "--seed", "8"]);
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout);
}

#[test]
fn the_scalar_engine_prints_the_names_the_fused_engine_prints() {
    let fused = microgpt(&["--steps", "300", "--samples", "10"]);
    let scalar = microgpt(&["--steps", "300", "--samples", "10", "--engine", "scalar"]);
    assert_eq!((fused.code, scalar.code), (0, 0));
    assert_eq!(fused.stdout, scalar.stdout);
}

#[test]
fn python_rng_reproduces_microgpt_py_on_makemore_names() {
    // Karpathy's names.txt is not in the repository; the project keeps a copy beside it.
    let makemore = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/names.txt");
    if !makemore.exists() {
        eprintln!("skipped: {} is not here", makemore.display());
        return;
    }
    let run = microgpt(&["--rng", "python", "--seed", "42", "--data", makemore.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = "kamon ann karai jaire vialan karia yeran anna areli kaina konna keylen liole alerin \
                    earan lenne kana lara alela anton";
    assert_eq!(run.stdout.lines().collect::<Vec<_>>().join(" "), expected);
}

#[test]
fn steps_0_samples_from_the_untrained_model() {
    let run = microgpt(&["--steps", "0", "--samples", "3"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3);
    assert!(run.stderr.contains("no training steps: sampling from the untrained model"), "{}", run.stderr);
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_microgpt"))
        .args(["--steps", "5", "--samples", "100000", "-q"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `microgpt | head -0`
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!((child.wait().unwrap().code(), stderr.as_str()), (Some(0), ""));
}

// ---------------------------------------------------------------------------------------------------
// Checkpoints and the loss log

#[test]
fn sample_prints_the_names_run_printed_when_it_saved_the_model() {
    let dir = dir_with(&[]);
    let run = microgpt_in(dir.path(), &["--steps", "30", "--samples", "8", "--save", "m.json"]);
    let sampled = microgpt_in(dir.path(), &["sample", "--model", "m.json", "--samples", "8"]);
    assert_eq!((run.code, sampled.code), (0, 0), "{}{}", run.stderr, sampled.stderr);
    assert_eq!(sampled.stdout, run.stdout);
}

#[test]
fn sample_with_python_rng_continues_microgpt_py_stream() {
    let dir = dir_with(&[]);
    let args = ["--rng", "python", "--steps", "10", "--samples", "4", "--save", "m.json", "-q"];
    let run = microgpt_in(dir.path(), &args);
    let sampled = microgpt_in(dir.path(), &["sample", "--model", "m.json", "--samples", "4"]);
    assert_eq!(sampled.stdout, run.stdout);
}

#[test]
fn sample_with_another_seed_prints_other_names() {
    let (dir, _) = trained_checkpoint();
    let default = sample_from(&dir);
    let other = microgpt_in(dir.path(), &["sample", "--model", "m.json", "--samples", "3", "--seed", "1"]);
    assert_eq!((default.code, other.code), (0, 0));
    assert_ne!(default.stdout, other.stdout);
}

#[test]
fn the_checkpoint_records_the_training_settings() {
    let (_dir, path) = trained_checkpoint();
    let json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let training = &json["training"];
    assert_eq!(
        (&training["steps"], &training["seed"], &training["stream"]["chacha"]["seed"]),
        (&5.into(), &42.into(), &42.into())
    );
    assert_eq!((&training["data"], &training["documents"]), (&"built-in names".into(), &32_000.into()));
    assert_eq!((&json["format"], &json["version"]), (&"microgpt-checkpoint".into(), &2.into()));
}

#[test]
fn saving_leaves_no_temporary_file() {
    let (dir, _) = trained_checkpoint();
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["m.json"]);
}

#[test]
fn the_loss_log_has_a_row_per_step_at_full_precision() {
    let dir = dir_with(&[]);
    let args = ["--steps", "7", "--samples", "0", "--losses", "l.csv", "--save", "m.json", "-q"];
    assert_eq!(microgpt_in(dir.path(), &args).code, 0);
    let csv = std::fs::read_to_string(dir.path().join("l.csv")).unwrap();
    let json: Value = serde_json::from_slice(&std::fs::read(dir.path().join("m.json")).unwrap()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!((lines.len(), lines[0], lines[1].split(',').next_back()), (8, "step,loss,lr", Some("0.01")));
    let last: Vec<&str> = lines[7].split(',').collect();
    let final_loss: f64 = last[1].parse().unwrap();
    assert_eq!((last[0], Some(final_loss)), ("7", json["training"]["final_loss"].as_f64()));
}

// ---------------------------------------------------------------------------------------------------
// Bad input: one line on stderr, exit code 1

#[test]
fn a_missing_data_file_is_named() {
    let run = microgpt(&["--data", "no/such/names.txt"]);
    assert_fails_with(&run, "no/such/names.txt: No such file or directory (os error 2)");
}

#[test]
fn an_unreadable_data_file_is_named() {
    let dir = dir_with(&[]);
    std::fs::create_dir(dir.path().join("names")).unwrap();
    let run = microgpt_in(dir.path(), &["--data", "names"]);
    assert_fails_with(&run, "names: a directory, not a regular file");
}

#[test]
fn data_that_is_not_utf8_names_the_byte_offset() {
    let dir = dir_with(&[("bad.txt", b"ann\nb\xffob\n")]);
    let run = microgpt_in(dir.path(), &["--data", "bad.txt"]);
    assert_fails_with(&run, "bad.txt: not valid UTF-8 (first bad byte at offset 5)");
}

#[test]
fn an_empty_corpus_is_rejected() {
    let dir = dir_with(&[("empty.txt", b"")]);
    let run = microgpt_in(dir.path(), &["--data", "empty.txt"]);
    assert_fails_with(&run, "the corpus has no documents with any characters");
}

#[test]
fn a_blank_only_corpus_is_rejected() {
    let dir = dir_with(&[("blank.txt", b" \n\n\t\r\n")]);
    let run = microgpt_in(dir.path(), &["--data", "blank.txt"]);
    assert_fails_with(&run, "the corpus has no documents with any characters");
}

#[test]
fn documents_longer_than_the_context_are_cut_and_said_once() {
    let dir = dir_with(&[("long.txt", b"abcdefghij\nab\nabcd\n")]);
    let run = microgpt_in(dir.path(), &["--data", "long.txt", "--block-size", "4", "--steps", "5"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let note = "note: 2 of 3 documents do not fit in block_size 4: microgpt trains on the first 4 \
                positions of each (BOS and 3 characters) and never sees the rest";
    assert_eq!(run.stderr.matches(note).count(), 1, "{}", run.stderr);
}

#[test]
fn n_embd_must_divide_into_heads() {
    let run = microgpt(&["--n-embd", "10", "--n-head", "4"]);
    assert_fails_with(
        &run,
        "invalid model configuration: n_embd (10) must be divisible by n_head (4) so every head gets an \
         equal slice",
    );
}

#[test]
fn temperature_0_is_rejected_before_training() {
    let run = microgpt(&["--temperature", "0"]);
    assert_fails_with(&run, "invalid temperature 0: it must be a finite number greater than 0");
}

#[test]
fn temperature_nan_is_rejected() {
    let run = microgpt(&["--temperature", "nan"]);
    assert_fails_with(&run, "invalid temperature NaN: it must be a finite number greater than 0");
}

#[test]
fn a_negative_learning_rate_is_rejected() {
    let run = microgpt(&["--lr", "-1"]);
    assert_fails_with(&run, "invalid learning rate -1: it must be a finite number greater than 0");
}

#[test]
fn saving_into_a_missing_directory_fails_before_training() {
    let run = microgpt(&["--save", "no/such/dir/m.json"]);
    assert_fails_with(
        &run,
        "no/such/dir/m.json: cannot write there: the directory no/such/dir does not exist",
    );
}

#[test]
fn a_diverging_run_names_the_step_and_saves_nothing() {
    let dir = dir_with(&[]);
    let run = microgpt_in(dir.path(), &["--lr", "1e10", "--save", "m.json", "--losses", "l.csv", "-q"]);
    assert_fails_with(
        &run,
        "training diverged: the loss at step 2 is inf; try a lower learning rate than 1e10",
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "files were written");
}

#[test]
fn a_command_line_that_does_not_parse_exits_with_2() {
    let run = microgpt(&["--steps", "many"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: invalid value 'many' for '--steps <N>'"), "{}", run.stderr);
}

#[test]
fn a_missing_checkpoint_is_named() {
    let run = microgpt(&["sample", "--model", "no/such/m.json"]);
    assert_fails_with(&run, "no/such/m.json: No such file or directory (os error 2)");
}

#[test]
fn a_truncated_checkpoint_says_where_it_ends() {
    let (dir, path) = trained_checkpoint();
    let json = std::fs::read(&path).unwrap();
    std::fs::write(&path, &json[..json.len() / 2]).unwrap();
    assert_fails_starting_with(&sample_from(&dir), "invalid checkpoint: field `params`: the file ends early");
}

#[test]
fn a_file_that_is_not_json_is_not_a_checkpoint() {
    let dir = dir_with(&[("m.json", b"step,loss,lr\n1,3.3,0.01\n")]);
    let run = sample_from(&dir);
    assert_fails_with(&run, "invalid checkpoint: field `(top level)`: expected value at line 1 column 1");
}

#[test]
fn json_of_another_kind_is_not_a_checkpoint() {
    let dir = dir_with(&[("m.json", br#"{"step": 1}"#)]);
    let run = sample_from(&dir);
    assert_fails_with(&run, "invalid checkpoint: field `format`: missing: this is not a microgpt checkpoint");
}

#[test]
fn a_checkpoint_of_another_version_is_named() {
    let (dir, path) = trained_checkpoint();
    edit_checkpoint(&path, |j| j["version"] = 3.into());
    assert_fails_with(
        &sample_from(&dir),
        "invalid checkpoint: field `version`: this microgpt reads version 2, found 3",
    );
}

#[test]
fn a_corrupt_weight_is_named_by_its_place() {
    let (dir, path) = trained_checkpoint();
    edit_checkpoint(&path, |j| j["params"][3]["data"][2][7] = Value::Null);
    let run = sample_from(&dir);
    assert_fails_starting_with(&run, "invalid checkpoint: field `params[3].data[2][7]`: invalid type: null");
}

#[test]
fn a_missing_row_is_named() {
    let (dir, path) = trained_checkpoint();
    edit_checkpoint(&path, |j| j["params"][3]["data"].as_array_mut().unwrap().truncate(15));
    assert_fails_with(
        &sample_from(&dir),
        "invalid checkpoint: field `params[3].data`: rows is 16, found 15 rows",
    );
}

#[test]
fn a_config_that_does_not_match_the_weights_is_rejected() {
    let (dir, path) = trained_checkpoint();
    edit_checkpoint(&path, |j| j["config"]["block_size"] = 8.into());
    let run = sample_from(&dir);
    assert_fails_with(
        &run,
        "invalid checkpoint: field `params`: the configuration needs 4064 parameters, found 4192",
    );
}

#[test]
fn a_vocabulary_that_does_not_match_the_config_is_rejected() {
    let (dir, path) = trained_checkpoint();
    edit_checkpoint(&path, |j| j["tokenizer"]["chars"] = "abc".into());
    let run = sample_from(&dir);
    assert_fails_with(
        &run,
        "invalid checkpoint: field `tokenizer.chars`: 3 characters and BOS make 4 tokens, but config.vocab_size \
         is 27",
    );
}

#[test]
fn a_sample_temperature_of_0_is_rejected() {
    let (dir, _) = trained_checkpoint();
    let run = microgpt_in(dir.path(), &["sample", "--model", "m.json", "--temperature", "0"]);
    assert_fails_with(&run, "invalid temperature 0: it must be a finite number greater than 0");
}
