//! Measures training speed: the scalar tape against the fused engine on the reference run, where a
//! fused step spends its time, and how the cost of a step grows with the model's size.
//!
//! ```sh
//! cargo run --release --example bench                      # built-in corpus
//! cargo run --release --example bench -- ../shared/data/names.txt
//! ```
//!
//! Timings are the best of several repetitions (the minimum is the least disturbed by whatever else
//! the machine is doing). Both engines are measured in the same process, one after the other.

use microgpt::fused::FusedEngine;
use microgpt::loss::document_loss;
use microgpt::model::Config;
use microgpt::nn::{Engine, ScalarEngine};
use microgpt::optim::Adam;
use microgpt::rng::ChaCha;
use microgpt::tokenizer::Token;
use microgpt::train::{Prepared, TrainOptions, learning_rate, prepare, train};
use std::time::{Duration, Instant};

const REPEATS: usize = 7;

/// The documents of the corpus at `path`, or of the built-in one.
fn corpus() -> Vec<String> {
    let text = match std::env::args().nth(1) {
        Some(path) => std::fs::read_to_string(path).expect("read the corpus"),
        None => include_str!("../data/names.txt").to_string(),
    };
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// The best time of `REPEATS` runs of `f`.
fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..REPEATS {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        out = Some(value);
    }
    (best, out.expect("REPEATS > 0"))
}

/// Trains a fresh copy of `prepared.model` for `steps` steps and returns the final loss.
fn run<E: Engine>(prepared: &Prepared, engine: &mut E, steps: usize) -> f64 {
    let mut model = prepared.model.clone();
    let options = TrainOptions { steps, ..TrainOptions::default() };
    let mut last = f64::NAN;
    train(&mut model, engine, &prepared.docs, &options, |r| last = r.loss).expect("training succeeds");
    last
}

/// Where one fused step spends its time: (begin, forward, backward, Adam), per step, best of
/// `REPEATS` runs of `steps` steps.
fn phases(prepared: &Prepared, steps: usize) -> [Duration; 4] {
    let mut best: Option<[Duration; 4]> = None;
    for _ in 0..REPEATS {
        let mut model = prepared.model.clone();
        let mut engine = FusedEngine::new();
        let mut adam = Adam::new(TrainOptions::default().adam, model.params());
        let mut grads = model.params().zeros_like();
        let mut total = [Duration::ZERO; 4];
        for step in 0..steps {
            let t0 = Instant::now();
            engine.begin(model.params());
            let t1 = Instant::now();
            let loss = document_loss(&model, &mut engine, &prepared.docs[step % prepared.docs.len()]);
            let t2 = Instant::now();
            engine.backward(loss, &mut grads);
            let t3 = Instant::now();
            adam.step(model.params_mut(), &grads, learning_rate(0.01, step, steps));
            let t4 = Instant::now();
            for (sum, d) in total.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3]) {
                *sum += d;
            }
        }
        let sum = |phases: &[Duration; 4]| phases.iter().sum::<Duration>();
        if best.is_none_or(|b| sum(&total) < sum(&b)) {
            best = Some(total);
        }
    }
    best.expect("REPEATS > 0").map(|d| d / steps as u32)
}

/// The average size of one step's graph on each engine: (scalar nodes, scalar edges, fused ops).
fn graph_sizes(prepared: &Prepared, steps: usize) -> (f64, f64, f64) {
    let (mut nodes, mut edges, mut ops) = (0, 0, 0);
    let mut scalar = ScalarEngine::new();
    let mut fused = FusedEngine::new();
    for doc in prepared.docs.iter().take(steps) {
        scalar.begin(prepared.model.params());
        document_loss(&prepared.model, &mut scalar, doc);
        nodes += scalar.tape().len();
        edges += scalar.tape().edge_count();
        fused.begin(prepared.model.params());
        document_loss(&prepared.model, &mut fused, doc);
        ops += fused.op_count();
    }
    let n = steps as f64;
    (nodes as f64 / n, edges as f64 / n, ops as f64 / n)
}

/// Documents of about `len` characters: consecutive names joined by '.', so that longer contexts
/// have something to attend over.
fn long_docs(names: &[String], len: usize) -> Vec<String> {
    let mut docs = vec![String::new()];
    for name in names {
        let doc = docs.last_mut().expect("never empty");
        if doc.len() + name.len() + 1 > len && !doc.is_empty() {
            docs.push(String::new());
        }
        let doc = docs.last_mut().expect("never empty");
        if !doc.is_empty() {
            doc.push('.');
        }
        doc.push_str(&name[..name.len().min(len)]);
    }
    docs
}

/// Microseconds per step of the fused engine for one configuration, and the mean positions per step.
fn scaling_row(
    docs: &[String],
    n_layer: usize,
    n_embd: usize,
    block_size: usize,
    steps: usize,
) -> (f64, f64) {
    let prepared =
        prepare(docs.to_vec(), &mut ChaCha::seed(42), |v| Config::new(v, n_layer, n_embd, 4, block_size))
            .expect("valid configuration");
    let positions: usize = prepared.docs.iter().take(steps).map(|d| block_size.min(d.len() - 1)).sum();
    let mut engine = FusedEngine::new();
    let (time, _) = best(|| run(&prepared, &mut engine, steps));
    (time.as_secs_f64() * 1e6 / steps as f64, positions as f64 / steps as f64)
}

fn main() {
    let docs = corpus();
    let prepared = prepare(docs.clone(), &mut ChaCha::seed(42), Config::reference).expect("valid corpus");
    let tokens: usize = prepared.docs.iter().take(1000).map(|d: &Vec<Token>| d.len() - 1).sum();
    println!("reference run: {} documents, {} parameters, 1000 steps, {tokens} positions", docs.len(), {
        prepared.model.params().len()
    });

    let (scalar_time, scalar_loss) = best(|| run(&prepared, &mut ScalarEngine::new(), 1000));
    let mut fused = FusedEngine::new();
    let (fused_time, fused_loss) = best(|| run(&prepared, &mut fused, 1000));
    let (nodes, edges, ops) = graph_sizes(&prepared, 1000);
    println!();
    println!("| engine | training time | per step | graph per step | final loss |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| scalar tape | {:.1} ms | {:.1} us | {nodes:.0} nodes, {edges:.0} edges | {scalar_loss:.6} |",
        scalar_time.as_secs_f64() * 1e3,
        scalar_time.as_secs_f64() * 1e3,
    );
    println!(
        "| fused | {:.1} ms | {:.1} us | {ops:.0} ops | {fused_loss:.6} |",
        fused_time.as_secs_f64() * 1e3,
        fused_time.as_secs_f64() * 1e3,
    );
    println!("\nspeed-up: {:.2}x", scalar_time.as_secs_f64() / fused_time.as_secs_f64());

    let [begin, forward, backward, adam] = phases(&prepared, 1000);
    println!(
        "\nfused step, by phase (us): begin {:.2}, forward {:.2}, backward {:.2}, Adam {:.2}",
        { begin.as_secs_f64() * 1e6 },
        forward.as_secs_f64() * 1e6,
        backward.as_secs_f64() * 1e6,
        adam.as_secs_f64() * 1e6
    );

    println!("\nscaling (fused engine, 200 steps, us per step):");
    println!("| n_layer | n_embd | block_size | positions/step | us/step | us/position |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let steps = 200;
    let mut rows = Vec::new();
    for n_embd in [16, 32, 64, 128] {
        rows.push((1, n_embd, 16, docs.clone()));
    }
    for n_layer in [2, 4] {
        rows.push((n_layer, 16, 16, docs.clone()));
    }
    for block_size in [16, 32, 64] {
        rows.push((1, 16, block_size, long_docs(&docs, block_size - 1)));
    }
    for (n_layer, n_embd, block_size, row_docs) in rows {
        let (us, positions) = scaling_row(&row_docs, n_layer, n_embd, block_size, steps);
        println!(
            "| {n_layer} | {n_embd} | {block_size} | {positions:.1} | {us:.1} | {:.2} |",
            us / positions
        );
    }
}
