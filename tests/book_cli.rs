//! The command-line sessions that chapter 11 of the book shows, run for real.
//!
//! Each test runs the `microgpt` binary the way the chapter says a reader would, in a scratch
//! directory, and builds a transcript of the session: every command after a `$ ` prompt, then what
//! it printed, stdout and stderr interleaved in the order the program wrote them (both go through
//! one pipe, as they would to a terminal). Timings change from run to run, so their numbers are
//! masked as `…`. The transcript must equal the committed `chapters/generated/{name}`, which the
//! chapter includes; `BOOK_BLESS=1 cargo test --test book_cli` rewrites those files instead (see
//! "Program output" in `tests/book.rs`).
//!
//! A few commands in the transcripts are shell, not `microgpt` (`head`, `cut`, `printf`): the test
//! does what they do, in Rust, on the same files.
//!
//! Beyond matching its file, each test asserts what the chapter says about the session: the names
//! match chapter 1's, `sample` repeats `run`, `--rng python` prints microgpt.py's names, errors exit
//! with status 1.

mod common;

use microgpt::math;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use tempfile::TempDir;

/// Checks `out` against `chapters/generated/{name}` (or writes it, with `BOOK_BLESS=1`).
fn shown(name: &str, out: &str) {
    include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/book/shown.rs"))(name, out);
}

/// A session in a scratch directory: the commands run so far and what they printed.
struct Session {
    dir: TempDir,
    transcript: String,
}

/// What one command left behind: its exit code, its stdout alone, and everything it printed.
struct Ran {
    code: i32,
    stdout: String,
}

impl Session {
    fn new() -> Self {
        Session { dir: tempfile::tempdir().expect("a scratch directory"), transcript: String::new() }
    }

    fn path(&self, file: &str) -> std::path::PathBuf {
        self.dir.path().join(file)
    }

    /// Runs `microgpt args…` and appends the prompt line and its output to the transcript.
    fn microgpt(&mut self, args: &[&str]) -> Ran {
        let (both, code) = run_interleaved(self.dir.path(), args);
        let stdout = run_stdout(self.dir.path(), args);
        self.transcript.push_str(&format!("$ {}\n", prompt("microgpt", args)));
        self.transcript.push_str(&mask_timings(&both));
        Ran { code, stdout }
    }

    /// Appends a shell command the test has just carried out itself, and its output.
    fn shell(&mut self, command: &str, output: &str) {
        self.transcript.push_str(&format!("$ {command}\n{output}"));
    }
}

/// `microgpt a b` as typed at a prompt.
fn prompt(program: &str, args: &[&str]) -> String {
    std::iter::once(program).chain(args.iter().copied()).collect::<Vec<_>>().join(" ")
}

/// Runs the binary in `dir` with stdout and stderr going into one pipe, as a terminal would receive
/// them, and returns what came out and the exit code.
fn run_interleaved(dir: &Path, args: &[&str]) -> (String, i32) {
    let (mut reader, writer) = std::io::pipe().expect("a pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_microgpt"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(writer.try_clone().expect("a second handle on the pipe"))
        .stderr(writer)
        .spawn()
        .expect("the microgpt binary runs");
    // The `Command` and its two write ends are gone, so the read ends when the child exits.
    let mut both = String::new();
    reader.read_to_string(&mut both).expect("the output is UTF-8");
    let status = child.wait().expect("microgpt exits");
    (both, status.code().expect("microgpt exits, not killed by a signal"))
}

/// Runs the binary again and returns its stdout alone: the runs are seeded, so it is what the
/// interleaved run printed on stdout.
fn run_stdout(dir: &Path, args: &[&str]) -> String {
    common::run_in(env!("CARGO_BIN_EXE_microgpt"), dir, args).stdout
}

/// Replaces the number before each unit of time or speed (`in 7 ms`, `in 0.04 s (26,508 steps/s)`)
/// with `…`.
fn mask_timings(text: &str) -> String {
    let mut out = text.to_string();
    for unit in [" ms", " s (", " steps/s)"] {
        let mut from = 0;
        while let Some(at) = out[from..].find(unit).map(|i| i + from) {
            let start =
                out[..at].rfind(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).map_or(0, |i| i + 1);
            if start < at {
                out.replace_range(start..at, "…");
                from = start + "…".len() + unit.len();
            } else {
                from = at + unit.len();
            }
        }
    }
    out
}

/// The names of chapter 1, from the output its example prints (`sample  1: shalin   (…)`).
fn chapter_1_names() -> Vec<String> {
    let text = include_str!("../chapters/generated/names.txt");
    text.lines()
        .filter_map(|l| l.strip_prefix("sample "))
        .map(|l| l.split_once(": ").expect("sample N: name").1.split_whitespace().next().unwrap_or(""))
        .map(String::from)
        .collect()
}

#[test]
fn mask_timings_hides_exactly_the_numbers_of_times_and_speeds() {
    assert_eq!(
        mask_timings("ready in 7 ms\ntrained 1000 steps in 0.04 s (26,508 steps/s): final loss 1.7780\n"),
        "ready in … ms\ntrained 1000 steps in … s (… steps/s): final loss 1.7780\n"
    );
}

#[test]
fn help() {
    let mut s = Session::new();
    assert_eq!(s.microgpt(&["-h"]).code, 0);
    shown("11-cli-help.txt", &s.transcript);
}

#[test]
fn a_default_run_prints_the_names_of_chapter_1() {
    let mut s = Session::new();
    let ran = s.microgpt(&[]);
    assert_eq!(ran.code, 0);
    // The library example of chapter 1 trains with the scalar engine, the command line with the
    // fused one: the same names.
    assert_eq!(ran.stdout.lines().collect::<Vec<_>>(), chapter_1_names());
    shown("11-cli-run.txt", &s.transcript);
}

#[test]
fn another_corpus_is_learnt_by_heart() {
    let mut s = Session::new();
    let planets = "mercury\nvenus\nearth\nmars\njupiter\nsaturn\nuranus\nneptune\n";
    fs::write(s.path("planets.txt"), planets).unwrap();
    s.shell(r"printf 'mercury\nvenus\nearth\nmars\njupiter\nsaturn\nuranus\nneptune\n' > planets.txt", "");
    let ran = s.microgpt(&["--data", "planets.txt", "--steps", "300", "--samples", "8"]);
    assert_eq!(ran.code, 0);
    assert!(ran.stdout.lines().all(|name| planets.lines().any(|p| p == name)), "{}", ran.stdout);

    // The floor: a model that knows the eight planets by heart is still unsure which one comes
    // next. It must guess the first letter and, after an m, whether mercury or mars follows; every
    // other prediction is certain. Each name's loss is the mean over its own n = letters + 1
    // predictions, so the name weighs 1/n in the loss, and the guesses that minimise it are
    // proportional to those weights, not to the plain counts (2/8 for m, 1/8 for the others).
    let names: Vec<&str> = planets.lines().collect();
    let weight = |p: &&str| 1.0 / (p.len() + 1) as f64;
    // The best guess for a prediction: the weight of the names it fits over the weight of the
    // names that reach it.
    let best = |fits: &dyn Fn(&str) -> bool, reach: &dyn Fn(&str) -> bool| {
        let part: f64 = names.iter().filter(|p| reach(p) && fits(p)).map(weight).sum();
        part / names.iter().filter(|p| reach(p)).map(weight).sum::<f64>()
    };
    // The loss of a model that gives each name's first letter the probability `first`, and its
    // second letter after an m the probability `after_m`.
    let loss = |first: &dyn Fn(&str) -> f64, after_m: &dyn Fn(&str) -> f64| {
        names.iter().map(|p| -(math::ln(first(p)) + math::ln(after_m(p))) * weight(p)).sum::<f64>() / 8.0
    };
    let m = |p: &str| p.starts_with('m');
    let floor = loss(&|p| best(&|q| q.as_bytes()[0] == p.as_bytes()[0], &|_| true), &|p| {
        if m(p) { best(&|q| q == p, &m) } else { 1.0 }
    });
    let by_count = loss(&|p| if m(p) { 2.0 / 8.0 } else { 1.0 / 8.0 }, &|p| if m(p) { 0.5 } else { 1.0 });
    let last_mean: f64 = s
        .transcript
        .lines()
        .rfind(|l| l.starts_with("trained"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|x| x.parse().ok())
        .expect("the summary line ends with the mean loss");
    assert!((floor - 0.3083).abs() < 1e-4, "floor {floor}");
    assert!((by_count - 0.3104).abs() < 1e-4, "guessing by the counts {by_count}");
    assert!(last_mean > floor && last_mean < floor + 0.02, "mean {last_mean}, floor {floor}");
    shown("11-cli-data.txt", &s.transcript);
}

#[test]
fn the_python_generator_prints_microgpt_py_s_names() {
    let mut s = Session::new();
    let ran = s.microgpt(&["--rng", "python", "--quiet"]);
    assert_eq!(ran.code, 0);
    let microgpt_py = include_str!("data/microgpt/builtin_samples.txt");
    assert_eq!(ran.stdout, microgpt_py);
    shown("11-cli-python.txt", &s.transcript);
}

#[test]
fn a_saved_model_samples_what_the_run_sampled() {
    let mut s = Session::new();
    let run = s.microgpt(&["--save", "model.json", "--losses", "losses.csv", "--samples", "5", "--quiet"]);
    assert_eq!(run.code, 0);

    let csv = fs::read_to_string(s.path("losses.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1001);
    let head: String = csv.lines().take(4).map(|l| format!("{l}\n")).collect();
    s.shell("head -n 4 losses.csv", &head);

    let again = s.microgpt(&["sample", "--model", "model.json", "--samples", "5"]);
    assert_eq!(again.code, 0);
    assert_eq!(again.stdout, run.stdout);

    let other = s.microgpt(&["sample", "--model", "model.json", "--samples", "5", "--seed", "7", "--quiet"]);
    assert_eq!(other.code, 0);
    assert_ne!(other.stdout, run.stdout);
    shown("11-cli-save.txt", &s.transcript);

    let mut json = Session { dir: s.dir, transcript: String::new() };
    let text = fs::read_to_string(json.path("model.json")).unwrap();
    let head: String = text.lines().take(39).map(|l| format!("{}\n", &l[..l.len().min(96)])).collect();
    json.shell("head -n 39 model.json | cut -c 1-96", &head);
    assert!(text.len() > 80_000 && text.len() < 100_000, "{} bytes", text.len());
    shown("11-cli-checkpoint.txt", &json.transcript);
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_status_1() {
    let mut s = Session::new();
    for args in [&["--temperature", "0"][..], &["--n-embd", "10"], &["--lr", "10", "--quiet"]] {
        let ran = s.microgpt(args);
        assert_eq!((ran.code, ran.stdout.as_str()), (1, ""));
    }
    assert_eq!(
        s.microgpt(&["--steps", "0", "--samples", "0", "--save", "untrained.json", "--quiet"]).code,
        0
    );
    let bytes = fs::read(s.path("untrained.json")).unwrap();
    fs::write(s.path("cut.json"), &bytes[..2000]).unwrap();
    s.shell("head -c 2000 untrained.json > cut.json", "");
    let ran = s.microgpt(&["sample", "--model", "cut.json"]);
    assert_eq!((ran.code, ran.stdout.as_str()), (1, ""));
    assert_eq!(s.transcript.matches("\nerror: ").count(), 4);
    shown("11-cli-errors.txt", &s.transcript);
}

#[test]
fn hostile_input_is_refused_before_any_work() {
    let mut s = Session::new();
    let names = "emma\nolivia\nava\n";
    fs::write(s.path("names.txt"), names).unwrap();
    s.shell(r"printf 'emma\nolivia\nava\n' > names.txt", "");
    let made = Command::new("mkfifo").arg(s.path("names.fifo")).status().expect("mkfifo runs");
    assert!(made.success());
    s.shell("mkfifo names.fifo", "");
    let commands: [&[&str]; 6] = [
        &["--data", "names.fifo"],
        &["--data", "names.txt", "--save", "./names.txt"],
        &["--save", "/dev/null"],
        &["--temperature", "-inf"],
        &["--n-embd", "100000"],
        &["--lr", "1e308", "--save", "model.json", "--quiet"],
    ];
    for args in commands {
        let ran = s.microgpt(args);
        assert_eq!((ran.code, ran.stdout.as_str()), (1, ""), "{args:?}");
    }
    // Nothing on disk changed: the corpus is intact, no model was saved, no temporary file is left.
    assert_eq!(fs::read_to_string(s.path("names.txt")).unwrap(), names);
    let mut files: Vec<_> = fs::read_dir(s.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    files.sort();
    assert_eq!(files, ["names.fifo", "names.txt"]);
    assert_eq!(s.transcript.matches("\nerror: ").count(), 6);
    shown("11-cli-hostile.txt", &s.transcript);
}
