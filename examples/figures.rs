//! Redraws every figure of the book: `cargo run --release --example figures [DIR]`, by default into
//! `chapters/figures/`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = std::env::args_os().nth(1).map_or_else(|| PathBuf::from("chapters/figures"), PathBuf::from);
    match microgpt::figures::render_all(&out) {
        Ok(paths) => {
            for path in paths {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
