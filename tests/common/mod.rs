//! Helpers that several test files share: running a program as a user runs it, and scratch
//! directories. Each test file uses some of them (`mod common;`), so the others are dead code there.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};
use tempfile::TempDir;

/// What a run of a program left behind.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program args…` in `dir`, with no stdin, and waits for it.
pub fn run_in(program: &str, dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    Run {
        code: out.status.code().expect("the program exits, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A scratch directory holding `files` (name, bytes).
pub fn dir_with(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("a scratch file");
    }
    dir
}

/// Asserts the run failed with exit code 1 and one line on stderr that starts with `error: {start}`.
#[track_caller]
pub fn assert_fails_starting_with(run: &Run, start: &str) {
    assert!(run.stderr.starts_with(&format!("error: {start}")), "stderr: {}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "stderr: {}", run.stderr);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "exit code and stdout");
}
