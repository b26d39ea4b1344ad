//! `microgpt-figures`: redraws every figure of the book from its seeded runs.
//!
//! ```sh
//! cargo run --release -p microgpt-figures                # into chapters/figures
//! cargo run --release -p microgpt-figures -- --out DIR
//! ```
//!
//! The paths written go to stdout, one per line; a failure is one line on stderr and exit status 1.

use clap::Parser;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Redraw every figure of the book from its seeded runs.
#[derive(Parser)]
#[command(name = "microgpt-figures", version)]
struct Args {
    /// Directory to write the SVG files into (created if missing)
    #[arg(long, value_name = "DIR", default_value = "chapters/figures")]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let start = Instant::now();
    let paths = match microgpt_figures::render_all(&args.out) {
        Ok(paths) => paths,
        Err(e) => {
            // `eprintln!` would panic if stderr cannot be written (`2>/dev/full`): the status says it.
            let _ = writeln!(io::stderr(), "error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match print_paths(&paths) {
        // The reader has all it wants (`microgpt-figures | head -1`): not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: stdout: {e}");
            ExitCode::FAILURE
        }
        Ok(()) => {
            let _ = writeln!(
                io::stderr(),
                "drew {} figures in {:.2} s",
                paths.len(),
                start.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
    }
}

fn print_paths(paths: &[impl AsRef<Path>]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for path in paths {
        writeln!(out, "{}", path.as_ref().display())?;
    }
    out.flush()
}
