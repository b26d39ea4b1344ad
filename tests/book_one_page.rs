//! The output that chapter 15 shows, produced by running the code (see "Program output" in
//! `tests/book.rs`): what `cargo run --release --example microgpt` prints, and that output beside
//! what `microgpt run` prints. `BOOK_BLESS=1 cargo test --test book_one_page` rewrites the files.
//!
//! The example is included as a module, so its `run` writes into a buffer exactly what its `main`
//! writes to stdout; the command line is run as a reader runs it.

#[allow(dead_code)] // the tests call `run`; `main` is the example's own
#[path = "../examples/microgpt.rs"]
mod one_page;

mod common;

use microgpt::data::BUILTIN_NAMES;
use std::fmt::Write as _;

/// Checks `out` against `chapters/generated/{name}` (or writes it, with `BOOK_BLESS=1`).
fn shown(name: &str, out: &str) {
    include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/book/shown.rs"))(name, out);
}

/// What the example prints, and what it returns.
fn run_the_example() -> (String, Vec<f64>, Vec<String>) {
    let mut printed = Vec::new();
    let (losses, names) = one_page::run(BUILTIN_NAMES, &mut printed).expect("a Vec accepts all");
    (String::from_utf8(printed).expect("the output is UTF-8"), losses, names)
}

/// What a terminal shows of `printed`: a carriage return moves back to the start of the line,
/// and what follows overwrites what was there.
fn as_a_terminal_shows(printed: &str) -> String {
    let mut screen = String::new();
    for line in printed.lines() {
        let mut shown: Vec<char> = Vec::new();
        for segment in line.split('\r') {
            for (i, c) in segment.chars().enumerate() {
                match shown.get_mut(i) {
                    Some(old) => *old = c,
                    None => shown.push(c),
                }
            }
        }
        screen.extend(shown);
        screen.push('\n');
    }
    screen
}

/// The loss a progress line reports (`step  100 / 1000 | loss 2.3697` or
/// `step  100/1000: loss 2.3697, mean of last 100 2.6811`), by step.
fn reported_losses(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .filter_map(|line| {
            let (step, rest) = line.strip_prefix("step ")?.trim_start().split_once([' ', '/'])?;
            let loss = rest.split_once("loss ")?.1.split(',').next()?;
            Some((step.parse().ok()?, loss.to_string()))
        })
        .collect()
}

#[test]
fn the_example_prints_what_microgpt_py_prints() {
    let (printed, losses, names) = run_the_example();
    // Every step is printed, as in microgpt.py; a carriage return lets the next overwrite it,
    // and every 100th ends its line instead, so ten stay on the screen.
    assert_eq!(printed.matches('\r').count(), 990);
    let screen = as_a_terminal_shows(&printed);
    assert_eq!(reported_losses(&screen).len(), 10);
    assert!(screen.contains(&format!("step 1000 / 1000 | loss {:.4}\n", losses[999])));
    assert!(screen.ends_with(&format!("sample 20: {}\n", names[19])));
    shown("15-one-page-run.txt", &format!("$ cargo run -q --release --example microgpt\n{screen}"));
}

#[test]
fn the_example_prints_the_losses_and_names_that_microgpt_run_prints() {
    let (printed, _, _) = run_the_example();
    let screen = as_a_terminal_shows(&printed);
    let dir = tempfile::tempdir().expect("a scratch directory");
    let cli = common::run_in(env!("CARGO_BIN_EXE_microgpt"), dir.path(), &["run"]);
    assert_eq!(cli.code, 0, "microgpt run: {}", cli.stderr);

    let ours = reported_losses(&screen);
    let theirs = reported_losses(&cli.stderr);
    let samples = screen.lines().filter_map(|line| line.strip_prefix("sample "));
    let our_names: Vec<&str> = samples.filter_map(|s| Some(s.split_once(": ")?.1)).collect();
    let their_names: Vec<&str> = cli.stdout.lines().collect();
    assert_eq!(ours, theirs, "the losses every 100 steps");
    assert_eq!(our_names, their_names, "the 20 names");

    let mut out = format!("{:<18}{:<26}{}\n", "", "examples/microgpt.rs", "microgpt run");
    for ((step, a), (_, b)) in ours.iter().zip(&theirs) {
        writeln!(out, "{:<18}{a:<26}{b}", format!("loss at step {step}")).unwrap();
    }
    for (i, (a, b)) in our_names.iter().zip(&their_names).enumerate() {
        writeln!(out, "{:<18}{a:<26}{b}", format!("name {}", i + 1)).unwrap();
    }
    shown("15-side-by-side.txt", &out);
}

#[test]
fn an_empty_corpus_panics_the_one_page_file_where_the_crate_names_the_problem() {
    let (empty, mut printed) = ("\n  \n", Vec::new());
    let run = std::panic::AssertUnwindSafe(|| one_page::run(empty, &mut printed));
    let panicked = std::panic::catch_unwind(run).expect_err("the one-page file trusts its input");
    assert!(String::from_utf8_lossy(&printed).starts_with("num docs: 0\n"));
    let message = (panicked.downcast_ref::<String>().map(String::as_str))
        .or_else(|| panicked.downcast_ref::<&str>().copied())
        .expect("a panic message");
    assert_eq!(message, "attempt to calculate the remainder with a divisor of zero");
    let error = microgpt::data::parse_docs(empty.as_bytes(), "empty.txt").unwrap_err();
    assert_eq!(error.to_string(), "the corpus has no documents with any characters");
}
