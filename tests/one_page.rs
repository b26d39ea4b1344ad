//! The whole GPT on one page, `examples/microgpt.rs` (chapter 15), computes the crate's numbers:
//! its 1000 losses and 20 names are bit for bit those of the scalar engine, with `ChaCha` seeded
//! 42 on the built-in names, through `prepare`, `train` and `sample` at the default temperature.
//!
//! Both sides are also compared with a committed record of that run, `tests/data/one_page/`, so
//! that a failure says which side moved: the crate (a change in `src/` that the one-page file
//! must follow), or the file. After a change to the crate's numbers that is meant, and the same
//! change to the example, refresh the record with
//! `ONE_PAGE_BLESS=1 cargo test --test one_page bit_for_bit`.

#[allow(dead_code)] // the tests call `run`; `main` is the example's own
#[path = "../examples/microgpt.rs"]
mod one_page;

use microgpt::data::{BUILTIN_NAMES, builtin_docs};
use microgpt::engine::ScalarEngine;
use microgpt::model::Config;
use microgpt::rng::ChaCha;
use microgpt::sample::{Temperature, sample};
use microgpt::train::{TrainOptions, prepare, train};
use std::fmt::Write as _;
use std::path::Path;

const RECORD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/one_page");
const EXAMPLE: &str = include_str!("../examples/microgpt.rs");

/// The numbers of one run: the loss of every training step, and the names sampled after it.
struct Run {
    losses: Vec<f64>,
    names: Vec<String>,
}

/// The crate's run: the scalar engine, ChaCha seeded 42, the built-in names.
fn crate_run() -> Run {
    let mut rng = ChaCha::seed(42);
    let mut run = prepare(builtin_docs(), &mut rng, Config::reference).expect("the built-in corpus");
    let mut engine = ScalarEngine::new();
    let mut losses = Vec::new();
    train(&mut run.model, &mut engine, &run.docs, &TrainOptions::default(), |r| losses.push(r.loss))
        .expect("the reference run trains");
    let names = (0..20)
        .map(|_| {
            run.tokenizer.decode(&sample(&run.model, &mut engine, Temperature::default(), &mut rng).unwrap())
        })
        .collect();
    Run { losses, names }
}

/// The one-page file's run on the same corpus, its printing thrown away.
fn one_page_run() -> Run {
    let (losses, names) = one_page::run(BUILTIN_NAMES, &mut std::io::sink()).expect("a sink accepts all");
    Run { losses, names }
}

/// The committed record: `losses.csv` (`step,loss`, every loss in the shortest form that reads
/// back to the same bits) and `names.txt`.
fn record() -> Run {
    let read =
        |file: &str| std::fs::read_to_string(Path::new(RECORD).join(file)).expect("the record is committed");
    let losses = read("losses.csv")
        .lines()
        .skip(1)
        .map(|line| line.split_once(',').expect("step,loss").1.parse().expect("a float"))
        .collect();
    Run { losses, names: read("names.txt").lines().map(String::from).collect() }
}

/// Writes `run` as the record.
fn bless(run: &Run) {
    let mut csv = String::from("step,loss\n");
    for (step, loss) in run.losses.iter().enumerate() {
        writeln!(csv, "{},{loss:?}", step + 1).unwrap();
    }
    let names: String = run.names.iter().map(|name| format!("{name}\n")).collect();
    std::fs::create_dir_all(RECORD).unwrap();
    std::fs::write(Path::new(RECORD).join("losses.csv"), csv).unwrap();
    std::fs::write(Path::new(RECORD).join("names.txt"), names).unwrap();
}

/// Where two runs first differ, to the last bit, in words; `None` if they do not.
fn first_difference((a_name, a): (&str, &Run), (b_name, b): (&str, &Run)) -> Option<String> {
    if (a.losses.len(), a.names.len()) != (b.losses.len(), b.names.len()) {
        return Some(format!(
            "{a_name} has {} losses and {} names, {b_name} {} and {}",
            a.losses.len(),
            a.names.len(),
            b.losses.len(),
            b.names.len()
        ));
    }
    let losses = a.losses.iter().zip(&b.losses).enumerate();
    if let Some((i, (x, y))) = losses.clone().find(|(_, (x, y))| x.to_bits() != y.to_bits()) {
        let count = losses.filter(|(_, (x, y))| x.to_bits() != y.to_bits()).count();
        return Some(format!(
            "{count} of {} losses differ, the first at step {}: {a_name} {x:?}, {b_name} {y:?}",
            a.losses.len(),
            i + 1
        ));
    }
    let names = a.names.iter().zip(&b.names).enumerate();
    names
        .clone()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| format!("name {} differs: {a_name} {x:?}, {b_name} {y:?}", i + 1))
}

#[test]
fn the_one_page_file_computes_the_crates_losses_and_names_bit_for_bit() {
    let (ours, theirs) = (one_page_run(), crate_run());
    if std::env::var_os("ONE_PAGE_BLESS").is_some() {
        bless(&theirs);
    }
    let record = record();
    let page = ("examples/microgpt.rs", &ours);
    let krate = ("the crate's scalar engine", &theirs);
    let recorded = ("the record in tests/data/one_page", &record);
    let page_moved = first_difference(recorded, page);
    let crate_moved = first_difference(recorded, krate);
    let verdict = match (&crate_moved, &page_moved) {
        (None, None) => String::new(),
        (Some(how), None) => format!(
            "the crate moved and the one-page file did not: {how}. If the change to the crate is \
             meant, make examples/microgpt.rs compute the same (chapter 15 shows it whole), then \
             refresh the record with ONE_PAGE_BLESS=1 cargo test --test one_page bit_for_bit"
        ),
        (None, Some(how)) => format!(
            "examples/microgpt.rs moved and the crate did not: {how}. The one-page file must \
             compute exactly what the crate computes"
        ),
        (Some(how), Some(_)) => match first_difference(krate, page) {
            None => format!(
                "the crate and the one-page file moved together and still agree ({how}): \
                 refresh the record with ONE_PAGE_BLESS=1 cargo test --test one_page bit_for_bit"
            ),
            Some(between) => format!("both moved from the record ({how}), and apart: {between}"),
        },
    };
    assert!(verdict.is_empty() && first_difference(krate, page).is_none(), "{verdict}");
    let first = (ours.losses[0], ours.losses[999]);
    println!("1000 of 1000 losses bit-identical (step 1 {:?}, step 1000 {:?})", first.0, first.1);
    println!("20 of 20 names identical: {}", ours.names.join(" "));
}

#[test]
fn the_record_is_the_crates_seed_42_run_that_chapter_1_shows() {
    let record = record();
    assert_eq!(record.losses.len(), 1000);
    assert_eq!(format!("{:.4} {:.4}", record.losses[0], record.losses[999]), "3.3592 1.7780");
    assert_eq!(record.names[..4], ["shalin", "coredi", "bran", "haha"]);
}

#[test]
fn the_one_page_file_fits_on_one_page_at_the_books_width() {
    let lines: Vec<&str> = EXAMPLE.lines().collect();
    assert!(lines.len() <= 300, "examples/microgpt.rs has {} lines, more than 300", lines.len());
    for (n, line) in lines.iter().enumerate() {
        // The width of the prose column, measured in Chromium at 1280 px: mdBook's code box holds
        // 730 px of 14 px Source Code Pro, 8.4 px a character. The book's code boxes are wider on a
        // wide screen (theme/wide-code.css); the one-page file fits even where they cannot be.
        let width = line.chars().count();
        assert!(width <= 86, "line {} of examples/microgpt.rs is {width} characters wide", n + 1);
    }
}

#[test]
fn the_one_page_file_stands_alone_without_unsafe_or_macros() {
    assert!(!EXAMPLE.contains("microgpt::"), "it must not use the crate");
    assert!(!EXAMPLE.contains("unsafe"), "no unsafe");
    assert!(!EXAMPLE.contains("macro_rules!"), "no macros doing work out of sight");
    let crates: Vec<&str> = EXAMPLE
        .lines()
        .filter_map(|line| line.strip_prefix("use "))
        .map(|path| path.split("::").next().unwrap_or(path))
        .filter(|root| *root != "std")
        .collect();
    assert_eq!(crates, ["rand_chacha", "rand_chacha"], "beside std, only rand_chacha (and libm)");
}
