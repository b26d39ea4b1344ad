//! The `microgpt` binary against hostile input (issue 16): for each of the twelve kinds of input that
//! used to panic, hang, abort, compute a wrong model or destroy a file, the repro ends in one
//! `error:` line and exit status 1 (or status 0 and a quiet end, for a closed pipe), with no file
//! changed and no temporary file left.
//!
//! Every run has a deadline, so a regression to a hang fails the test instead of blocking it.

use serde_json::{Value, json};
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

mod common;

use common::{Run, assert_fails_starting_with, dir_with};

const BIN: &str = env!("CARGO_BIN_EXE_microgpt");

/// How long any one run may take before the test calls it a hang.
const DEADLINE: Duration = Duration::from_secs(60);

/// Waits for `child`, killing it and failing the test if it outlives the deadline.
fn wait(child: &mut Child, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            return status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("{what} still running after {DEADLINE:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `command` with no stdin and its output captured, within the deadline.
fn run(mut command: Command) -> Run {
    let what = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    // Read both pipes on threads, so that a full pipe cannot stall the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).map(|_| s)
    });
    let status = wait(&mut child, &what);
    Run {
        code: status.code().unwrap_or_else(|| panic!("{what} was killed: {status:?}")),
        stdout: out.join().unwrap().expect("stdout is UTF-8"),
        stderr: err.join().unwrap().expect("stderr is UTF-8"),
    }
}

/// `microgpt args…` in `dir`.
fn microgpt(dir: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(dir);
    run(command)
}

/// `microgpt args…` in `dir` through `sh -c`, after the shell command `setup` (a `ulimit`).
fn microgpt_after(dir: &Path, setup: &str, args: &[&str]) -> Run {
    let mut command = Command::new("sh");
    command.arg("-c").arg(format!("{setup} && exec \"$0\" \"$@\"")).arg(BIN).args(args).current_dir(dir);
    run(command)
}

/// The names in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A directory holding `m.json`, a checkpoint trained for 5 steps.
fn with_checkpoint() -> TempDir {
    let dir = dir_with(&[]);
    let run = microgpt(dir.path(), &["--steps", "5", "--samples", "0", "--save", "m.json", "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

/// Rewrites the checkpoint `m.json` in `dir` after `edit`.
fn edit(dir: &TempDir, edit: impl FnOnce(&mut Value)) {
    let path = dir.path().join("m.json");
    let mut json: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    edit(&mut json);
    fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
}

fn sample(dir: &TempDir, extra: &[&str]) -> Run {
    let args: Vec<&str> =
        ["sample", "--model", "m.json", "--samples", "3"].iter().chain(extra).copied().collect();
    microgpt(dir.path(), &args)
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().expect("mkfifo runs").success());
}

// ---------------------------------------------------------------------------------------------------
// 1. Finite but huge weights

#[test]
fn a_learning_rate_of_1e308_stops_after_the_first_update_and_saves_nothing() {
    let dir = dir_with(&[]);
    let run = microgpt(dir.path(), &["-q", "--lr", "1e308", "--steps", "1", "--save", "m.json"]);
    assert_fails_starting_with(&run, "training diverged: after step 1 the weight wte[");
    assert!(run.stderr.ends_with(", beyond ±1e64; try a lower learning rate than 1e308\n"), "{}", run.stderr);
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn a_checkpoint_with_a_weight_of_1e308_is_refused_when_loading() {
    let dir = with_checkpoint();
    edit(&dir, |j| j["params"][0]["data"][0][0] = json!(1e308));
    assert_fails_starting_with(
        &sample(&dir, &[]),
        "invalid checkpoint: field `params[0].data[0][0]`: 1e308: a weight must be a finite number of \
         magnitude at most 1e64",
    );
}

// ---------------------------------------------------------------------------------------------------
// 2. A claimed count that made `sample` replay for centuries

#[test]
fn a_checkpoint_claiming_2_to_the_64_documents_samples_at_once() {
    let dir = with_checkpoint();
    let before = sample(&dir, &[]);
    edit(&dir, |j| j["training"]["documents"] = json!(u64::MAX));
    let start = Instant::now();
    let after = sample(&dir, &[]);
    assert_eq!((after.code, &after.stdout), (0, &before.stdout));
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
}

#[test]
fn a_version_1_checkpoint_is_refused_with_the_reason() {
    let dir = with_checkpoint();
    edit(&dir, |j| j["version"] = json!(1));
    assert_fails_starting_with(
        &sample(&dir, &[]),
        "invalid checkpoint: field `version`: this microgpt reads version 2, found 1, which records no random \
         stream to continue",
    );
}

#[test]
fn a_saved_stream_that_no_generator_can_be_in_is_refused() {
    let dir = with_checkpoint();
    edit(&dir, |j| {
        j["training"]["stream"] = json!({"python": {"state": [1, 2, 3], "index": 0, "spare": null}})
    });
    assert_fails_starting_with(
        &sample(&dir, &[]),
        "invalid checkpoint: field `training.stream`: the Mersenne Twister has 624 words of state, found 3",
    );
}

// ---------------------------------------------------------------------------------------------------
// 3. Sizes

#[test]
fn sizes_beyond_the_limits_are_refused_before_anything_is_allocated() {
    let dir = dir_with(&[]);
    for (args, count) in [
        (&["--n-embd", "100000"][..], "1.20e11"),
        (&["--n-layer", "18446744073709551615"], "5.67e22"),
        (&["--block-size", "1152921504606846976", "--steps", "10"], "1.84e19"),
    ] {
        let run = microgpt(dir.path(), args);
        let message = format!(
            "invalid model configuration: the model would have {count} parameters, more than the limit of \
             16777216 (2^24)"
        );
        assert_fails_starting_with(&run, &message);
    }
}

#[test]
fn a_context_too_long_for_the_activation_limit_is_refused() {
    let run = microgpt(dir_with(&[]).path(), &["--block-size", "4096", "--n-embd", "64"]);
    assert_fails_starting_with(
        &run,
        "invalid model configuration: one document would need 3.71e9 activations, more than the limit of \
         67108864 (2^26): use a smaller block_size, n_embd or n_layer",
    );
}

// ---------------------------------------------------------------------------------------------------
// 4. Inputs that are not regular files, or too large

#[test]
fn a_fifo_as_data_or_model_is_refused_without_blocking() {
    let dir = dir_with(&[]);
    mkfifo(&dir.path().join("f"));
    assert_fails_starting_with(&microgpt(dir.path(), &["--data", "f"]), "f: a FIFO, not a regular file");
    assert_fails_starting_with(
        &microgpt(dir.path(), &["sample", "--model", "f"]),
        "f: a FIFO, not a regular file",
    );
}

#[test]
fn devices_as_data_or_model_are_refused_without_reading() {
    let dir = dir_with(&[]);
    for device in ["/dev/zero", "/dev/null"] {
        let message = format!("{device}: a character device, not a regular file");
        assert_fails_starting_with(&microgpt(dir.path(), &["--data", device]), &message);
        assert_fails_starting_with(&microgpt(dir.path(), &["sample", "--model", device]), &message);
    }
}

#[test]
fn a_directory_as_model_is_refused() {
    let dir = dir_with(&[]);
    fs::create_dir(dir.path().join("d")).unwrap();
    assert_fails_starting_with(
        &microgpt(dir.path(), &["sample", "--model", "d"]),
        "d: a directory, not a regular file",
    );
}

#[test]
fn a_corpus_over_16_mib_is_refused_before_it_is_read() {
    let dir = dir_with(&[]);
    // Sparse: 17 MiB that take no room on disk.
    fs::File::create(dir.path().join("big.txt")).unwrap().set_len(17 << 20).unwrap();
    assert_fails_starting_with(
        &microgpt(dir.path(), &["--data", "big.txt"]),
        "big.txt: 17 MiB, more than a corpus may have (16 MiB)",
    );
}

// ---------------------------------------------------------------------------------------------------
// 5. Output paths, checked for real before training

#[test]
fn an_existing_directory_as_save_fails_before_training() {
    let dir = dir_with(&[]);
    fs::create_dir(dir.path().join("d")).unwrap();
    // One line on stderr: not even the description of the data, which comes before training.
    assert_fails_starting_with(
        &microgpt(dir.path(), &["--save", "d"]),
        "d: a directory: microgpt only writes regular files",
    );
}

#[test]
#[cfg(target_os = "linux")]
fn a_directory_that_takes_no_new_file_fails_before_training() {
    // /sys refuses new files even to root, who can write in a directory of mode 555.
    let run = microgpt(dir_with(&[]).path(), &["--save", "/sys/m.json"]);
    assert_fails_starting_with(&run, "/sys/m.json: cannot create a file in /sys: ");
}

#[test]
fn a_name_too_long_fails_before_training_and_a_name_at_the_limit_saves() {
    let dir = dir_with(&[]);
    let too_long = "a".repeat(256);
    let run = microgpt(dir.path(), &["--save", &too_long]);
    // The reason is the C library's: "File name too long" (glibc), "Filename too long" (musl).
    assert_fails_starting_with(
        &run,
        &format!("{}…{} (256 characters): File", "a".repeat(100), "a".repeat(50)),
    );
    assert!(run.stderr.contains("name too long (os error 36)"), "{}", run.stderr);
    // 255 bytes is the limit of most file systems; the temporary name is shortened to fit beside it.
    let longest = "b".repeat(255);
    let run = microgpt(dir.path(), &["--save", &longest, "--steps", "1", "--samples", "0", "-q"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(files_in(dir.path()), [longest]);
}

// ---------------------------------------------------------------------------------------------------
// 6. Silent data loss

#[test]
fn save_and_losses_cannot_be_one_file() {
    let dir = dir_with(&[("x", b"precious")]);
    let run = microgpt(dir.path(), &["--save", "x", "--losses", "./x"]);
    assert_fails_starting_with(&run, "./x: --losses and --save name the same file");
    assert_eq!(fs::read(dir.path().join("x")).unwrap(), b"precious");
}

#[test]
fn no_output_can_be_the_corpus_by_any_name() {
    let corpus: &[u8] = b"ann\nbob\n";
    let dir = dir_with(&[("names.txt", corpus)]);
    fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("names.txt", dir.path().join("link")).unwrap();
    fs::hard_link(dir.path().join("names.txt"), dir.path().join("sub/hard")).unwrap();
    for (output, name) in [
        ("--save", "names.txt"),
        ("--save", "./names.txt"),
        ("--losses", "sub/../names.txt"),
        ("--save", "link"),
        ("--losses", "sub/hard"),
    ] {
        let run = microgpt(dir.path(), &["--data", "names.txt", output, name]);
        assert_fails_starting_with(&run, &format!("{name}: {output} and --data name the same file"));
    }
    assert_eq!(fs::read(dir.path().join("names.txt")).unwrap(), corpus);
}

#[test]
fn a_fifo_or_a_device_is_never_replaced_by_a_saved_file() {
    let dir = dir_with(&[]);
    mkfifo(&dir.path().join("f"));
    assert_fails_starting_with(
        &microgpt(dir.path(), &["--save", "f"]),
        "f: a FIFO: microgpt only writes regular files",
    );
    assert_fails_starting_with(
        &microgpt(dir.path(), &["--losses", "/dev/null"]),
        "/dev/null: a character device: microgpt only writes regular files",
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::metadata(dir.path().join("f")).unwrap().file_type().is_fifo());
}

// ---------------------------------------------------------------------------------------------------
// 7. Interrupted saves

#[test]
fn a_save_past_ulimit_f_fails_cleanly_and_leaves_no_temporary_file() {
    let dir = dir_with(&[]);
    // 16 blocks (8 or 16 KiB, by the shell) is far less than the 90 kB checkpoint.
    let run =
        microgpt_after(dir.path(), "ulimit -f 16", &["--steps", "1", "--samples", "0", "--save", "m.json"]);
    let stderr_lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(stderr_lines.last(), Some(&"error: m.json: File too large (os error 27)"), "{}", run.stderr);
    assert_eq!(run.code, 1);
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn sigterm_during_a_save_removes_the_temporary_file() {
    use std::os::unix::process::ExitStatusExt;
    let dir = dir_with(&[]);
    // 12.6 million weights: a 280 MB checkpoint, long enough to write that the signal lands mid-save.
    let args = ["--n-embd", "256", "--n-layer", "16", "--block-size", "4", "--steps", "0", "--samples", "0"];
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--save", "m.json", "-q"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !files_in(dir.path()).iter().any(|f| f.starts_with(".m.json.")) {
        assert!(start.elapsed() < DEADLINE, "no temporary file appeared");
        assert!(child.try_wait().unwrap().is_none(), "the save finished before it could be interrupted");
        std::thread::sleep(Duration::from_micros(200));
    }
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = wait(&mut child, "the interrupted save");
    assert_eq!(status.signal(), Some(15), "ended by the signal itself: {status:?}");
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------------
// 8. Write errors on stdout and stderr

/// `microgpt args…` in `dir` with stdout and stderr going where the test says.
fn microgpt_with(dir: &Path, args: &[&str], stdout: Stdio, stderr: Stdio) -> (ExitStatus, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut captured = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut captured).unwrap();
    }
    (wait(&mut child, "microgpt"), captured)
}

fn dev_full() -> Stdio {
    Stdio::from(fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full"))
}

#[test]
fn a_full_stdout_is_one_line_and_status_1() {
    let dir = dir_with(&[]);
    let (status, stderr) = microgpt_with(dir.path(), &["--steps", "1", "-q"], dev_full(), Stdio::piped());
    assert_eq!(
        (status.code(), stderr.as_str()),
        (Some(1), "error: stdout: No space left on device (os error 28)\n")
    );
    let (status, stderr) = microgpt_with(dir.path(), &["--help"], dev_full(), Stdio::piped());
    assert_eq!(
        (status.code(), stderr.as_str()),
        (Some(1), "error: stdout: No space left on device (os error 28)\n")
    );
}

#[test]
fn a_full_stderr_stops_the_run_before_training_with_status_1() {
    let dir = dir_with(&[]);
    let (status, _) =
        microgpt_with(dir.path(), &["--steps", "1", "--save", "m.json"], Stdio::null(), dev_full());
    assert_eq!(status.code(), Some(1));
    assert_eq!(files_in(dir.path()), Vec::<String>::new());
}

#[test]
fn a_closed_stderr_does_not_lose_the_save() {
    let dir = dir_with(&[]);
    let mut child = Command::new(BIN)
        .args(["--steps", "20", "--samples", "2", "--save", "m.json"])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take()); // like `microgpt 2>&1 | head -0`
    assert_eq!(wait(&mut child, "microgpt").code(), Some(0));
    assert_eq!(files_in(dir.path()), ["m.json"]);
}

#[test]
fn sample_and_help_end_quietly_on_a_closed_stdout() {
    let dir = with_checkpoint();
    for args in [&["sample", "--model", "m.json", "--samples", "100000"][..], &["--help"]] {
        let mut child = Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = wait(&mut child, "microgpt");
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

// ---------------------------------------------------------------------------------------------------
// 9. Memory out of proportion to the file

#[test]
#[cfg(target_os = "linux")]
fn millions_of_empty_rows_are_refused_within_a_small_memory_limit() {
    let dir = with_checkpoint();
    // 10 million `[]`: a 30 MB file, which took over 400 MB to load when each row was a `Vec`.
    let path = dir.path().join("m.json");
    let mut json: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    json["params"][0]["data"] = json!("ROWS");
    let rows = format!("[{}[]]", "[],".repeat(10_000_000 - 1));
    fs::write(&path, json.to_string().replace("\"ROWS\"", &rows)).unwrap();
    let run = microgpt_after(dir.path(), "ulimit -v 250000", &["sample", "--model", "m.json"]);
    assert_fails_starting_with(
        &run,
        "invalid checkpoint: field `params[0].data`: rows is 27, found 10000000 rows",
    );
}

// ---------------------------------------------------------------------------------------------------
// 10. Terminal escapes from files

#[test]
fn control_characters_from_a_checkpoint_reach_the_terminal_escaped() {
    let dir = with_checkpoint();
    edit(&dir, |j| j["training"]["data"] = json!("\u{1b}[2J\u{1b}]0;owned\u{7}names.txt"));
    let run = sample(&dir, &[]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("on \\u{1b}[2J\\u{1b}]0;owned\\u{7}names.txt, final"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'));
}

#[test]
fn control_characters_in_an_unknown_field_are_escaped_in_the_error() {
    let dir = with_checkpoint();
    edit(&dir, |j| j["training"]["\u{1b}[31mred"] = json!(1));
    let run = sample(&dir, &[]);
    assert_fails_starting_with(
        &run,
        "invalid checkpoint: field `training.\\u{1b}[31mred`: unknown field `\\u{1b}[31mred`, expected one of",
    );
    assert!(!run.stderr.contains('\u{1b}'));
}

#[test]
fn control_characters_of_a_corpus_are_escaped_in_the_names() {
    let dir = dir_with(&[("bell.txt", b"a\x07b\nb\x07a\n\x07ab\n")]);
    let run = microgpt(dir.path(), &["--data", "bell.txt", "--steps", "200", "--samples", "20", "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\\u{7}"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{7}'));
}

// ---------------------------------------------------------------------------------------------------
// 11. Negative numbers as option values

#[test]
fn a_negative_temperature_is_a_bad_temperature_not_an_unknown_option() {
    let dir = with_checkpoint();
    for args in [&["--temperature", "-inf"][..], &["sample", "--model", "m.json", "--temperature", "-inf"]] {
        let run = microgpt(dir.path(), args);
        assert_fails_starting_with(
            &run,
            "invalid temperature -inf: it must be a finite number greater than 0",
        );
    }
    let run = microgpt(dir.path(), &["--lr", "-0.001"]);
    assert_fails_starting_with(
        &run,
        "invalid learning rate -0.001: it must be a finite number greater than 0",
    );
}

#[test]
fn a_negative_count_is_a_value_that_does_not_parse() {
    let run = microgpt(dir_with(&[]).path(), &["--steps", "-1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: invalid value '-1' for '--steps <N>'"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------------
// 12. Huge numbers in messages

#[test]
fn huge_numbers_are_printed_in_exponent_form() {
    let dir = with_checkpoint();
    let run = microgpt(dir.path(), &["--lr", "-1e308"]);
    assert_fails_starting_with(
        &run,
        "invalid learning rate -1e308: it must be a finite number greater than 0",
    );
    let run = microgpt(dir.path(), &["--temperature", "-1.5e300"]);
    assert_fails_starting_with(
        &run,
        "invalid temperature -1.5e300: it must be a finite number greater than 0",
    );
    edit(&dir, |j| j["training"]["final_loss"] = json!(1e300));
    let run = sample(&dir, &["--temperature", "1e300"]);
    assert!(run.stderr.contains("final loss 1e300\n"), "{}", run.stderr);
    assert!(run.stderr.contains("at temperature 1e300 in"), "{}", run.stderr);
    assert!(run.stderr.lines().all(|l| l.len() < 120), "{}", run.stderr);
}
