//! The book's figures are drawn by `microgpt_figures` from seeded runs. These tests redraw every
//! one and compare it, byte for byte, with the file committed under `chapters/figures/`: when the
//! code changes what a figure shows, the figure has to be regenerated with it.

#[path = "../../tests/common/mod.rs"]
mod common;

use microgpt_figures::{FIGURES, render_all};
use std::path::{Path, PathBuf};

const REFRESH: &str = "`cargo run --release -p microgpt-figures`";

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../chapters/figures")
}

/// `chapters/figures/NAME is stale` (or `is missing`) for each freshly drawn file in `fresh` whose
/// committed copy differs.
fn stale(fresh: &[PathBuf]) -> Vec<String> {
    fresh
        .iter()
        .filter_map(|path| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            let drawn = std::fs::read(path).expect("render_all returns files it wrote");
            match std::fs::read(committed_dir().join(&name)) {
                Ok(committed) if committed == drawn => None,
                Ok(_) => Some(format!("chapters/figures/{name} is stale")),
                Err(_) => Some(format!("chapters/figures/{name} is missing")),
            }
        })
        .collect()
}

/// The `.svg` files under `chapters/figures/`, sorted.
fn committed_svgs() -> Vec<String> {
    let entries = std::fs::read_dir(committed_dir()).expect("chapters/figures/ exists");
    let mut names: Vec<String> = entries
        .map(|e| e.expect("a readable directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".svg"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_committed_figure_is_what_the_code_draws_now() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let fresh = render_all(dir.path()).expect("every figure draws");
    let names: Vec<_> = fresh.iter().filter_map(|p| p.file_name()?.to_str()).collect();
    assert_eq!(names, FIGURES, "render_all writes the files FIGURES names, in its order");
    let stale = stale(&fresh);
    assert!(stale.is_empty(), "{}: regenerate with {REFRESH}", stale.join("; "));
}

#[test]
fn no_committed_figure_is_left_over_from_code_that_no_longer_draws_it() {
    let mut expected: Vec<String> = FIGURES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(
        committed_svgs(),
        expected,
        "chapters/figures/ must hold exactly the figures the code draws: delete any other, regenerate with {REFRESH}"
    );
}

#[test]
fn drawing_into_a_directory_that_cannot_be_made_fails_with_one_line() {
    let dir = common::dir_with(&[("file", b"not a directory")]);
    let run = common::run_in(env!("CARGO_BIN_EXE_microgpt-figures"), dir.path(), &["--out", "file/figures"]);
    common::assert_fails_starting_with(&run, "file/figures: ");
}
