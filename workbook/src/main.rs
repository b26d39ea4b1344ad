//! `microgpt-workbook new [--solved] DIR`: writes the reader's workbook (see the library's docs).

use microgpt_workbook::{Mode, write_workbook};
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo run -p microgpt-workbook -- new [--solved] DIR

Writes your workbook into DIR (a new or empty directory): the book's microgpt crate with the
functions you write left as todo!(). Inside it, `cargo test ch02` runs chapter 2's tests against
your code. --solved writes it with every function written.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (mode, dir) = match args.as_slice() {
        ["new", dir] if !dir.starts_with('-') => (Mode::Fresh, dir),
        ["new", "--solved", dir] => (Mode::Solved, dir),
        // CI's check that each chapter needs only the ones before it (`.ci/workbook.sh`).
        ["new", "--staged", dir] => (Mode::Staged, dir),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workbook/ is inside the workspace");
    match write_workbook(root, Path::new(dir), mode) {
        Ok(cuts) => {
            let chapters = cuts.iter().map(|c| c.chapter);
            let (first, last) = (chapters.clone().min().unwrap_or(0), chapters.max().unwrap_or(0));
            match mode {
                Mode::Fresh => println!(
                    "wrote your workbook to {dir}: {} functions to write, chapters {first} to {last}; \
                     README.md lists them.\nStart with chapter {first}: cd {dir} && cargo test ch{first:02}",
                    cuts.len()
                ),
                _ => println!("wrote the workbook to {dir} with all {} functions written", cuts.len()),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
