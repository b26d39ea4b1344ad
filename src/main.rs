//! The `microgpt` command: train a GPT on names and print the names it invents.
//!
//! Exit codes: 0 on success (and when the reader of stdout stops early, as in `microgpt | head -3`),
//! 1 for bad input or a failed write (one line on stderr, starting with `error: `), 2 for a command
//! line that does not parse (clap's own message).

#![forbid(unsafe_code)]

mod cli;

use clap::Parser;
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    cli::remove_temporary_files_on_signals();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// One line on stderr, if stderr can still be written, and exit status 1.
fn fail(e: impl std::fmt::Display) -> ExitCode {
    let _ = writeln!(io::stderr(), "error: {e}");
    ExitCode::FAILURE
}

/// Prints clap's help, version or error, and exits with its status; `--help` on a closed pipe ends
/// quietly, on a full disk with status 1.
fn clap_exit(e: &clap::Error) -> ExitCode {
    let code = u8::try_from(e.exit_code()).unwrap_or(2);
    match e.print() {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe && code == 0 => fail(format!("stdout: {err}")),
        _ => ExitCode::from(code),
    }
}
