//! The `microgpt` command: train a GPT on names and print the names it invents.
//!
//! Exit codes: 0 on success, 1 for bad input (one line on stderr, starting with `error: `), 2 for a
//! command line that does not parse (clap's own message).

#![forbid(unsafe_code)]

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
