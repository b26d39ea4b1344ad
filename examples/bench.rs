//! Measures training speed: the scalar tape against the fused engine on the reference run, where a
//! fused step spends its time, and how the cost of a step grows with the model's size.
//!
//! ```sh
//! cargo run --release --example bench                      # built-in corpus
//! cargo run --release --example bench -- ../shared/data/names.txt
//! cargo run --release --example bench -- --json chapters/measured/bench.json > chapters/measured/bench.md
//! ```
//!
//! It prints its tables as markdown; with `--json PATH` it also writes every number as a
//! [`Measurements`], which is what the book's `efficiency.svg` draws (the last command above is the
//! one that refreshes both).
//!
//! Timings are the best of several repetitions (the minimum is the least disturbed by whatever else
//! the machine is doing). Both engines are measured in the same process, one after the other.

use clap::Parser;
use microgpt::data::{builtin_docs, parse_docs, read_corpus};
use microgpt::engine::{Engine, ScalarEngine};
use microgpt::fused::FusedEngine;
use microgpt::loss::{document_loss, positions};
use microgpt::model::Config;
use microgpt::optim::Adam;
use microgpt::rng::ChaCha;
use microgpt::train::{Prepared, TrainOptions, learning_rate, prepare, train};
use microgpt_figures::{
    FusedTiming, Machine, Measurements, Phases, Reference, SEED, ScalarTiming, Scaling, ScalingRow,
};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Timed runs of each measurement; the fastest is kept.
const REPEATS: usize = 7;
/// Steps per timed run of the reference model, as in microgpt.py.
const STEPS: usize = 1000;
/// Steps per timed run of the other sizes: enough to average over documents of every length.
const SCALING_STEPS: usize = 200;

/// Times the two autograd engines and prints the results as markdown tables.
#[derive(Parser)]
struct Args {
    /// A corpus, one document per line (default: the built-in names).
    corpus: Option<PathBuf>,
    /// Also write every measurement to this file, as JSON.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
}

/// The documents of the corpus at `path`, or of the built-in one.
fn corpus(path: Option<&Path>) -> microgpt::error::Result<Vec<String>> {
    let docs = match path {
        Some(path) => {
            let bytes = read_corpus(path)?;
            parse_docs(&bytes, &path.display().to_string())?.into_iter().map(String::from).collect()
        }
        None => builtin_docs().into_iter().map(String::from).collect(),
    };
    Ok(docs)
}

/// The CPU model (the first `model name` in /proc/cpuinfo) and how many CPUs the process may use.
fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| Some(line.strip_prefix("model name")?.split_once(':')?.1.trim().to_string()))
        .unwrap_or_else(|| "unknown".to_string());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    Machine { cpu, cpus }
}

/// The best time of `REPEATS` runs of `f`, and what the last run returned.
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

/// Microseconds, to the nanosecond.
fn micros(d: Duration) -> f64 {
    d.as_nanos() as f64 / 1e3
}

/// Trains a fresh copy of `prepared.model` for `steps` steps and returns the final loss.
fn run<E: Engine>(prepared: &Prepared, engine: &mut E, steps: usize) -> f64 {
    let mut model = prepared.model.clone();
    let options = TrainOptions { steps, ..TrainOptions::default() };
    let mut last = f64::NAN;
    train(&mut model, engine, &prepared.docs, &options, |r| last = r.loss).expect("training succeeds");
    last
}

/// Time per step of training `prepared` for `steps` steps on `engine`, and the final loss.
fn time_per_step<E: Engine>(prepared: &Prepared, engine: &mut E, steps: usize) -> (f64, f64) {
    let (time, loss) = best(|| run(prepared, engine, steps));
    (micros(time / steps as u32), loss)
}

/// Where one fused step spends its time: the training loop of `train`, with a clock read between
/// its phases. Best of `REPEATS` runs of `steps` steps, by their total.
fn phases(prepared: &Prepared, steps: usize) -> Phases {
    let options = TrainOptions::default();
    let mut engine = FusedEngine::new();
    let mut best: Option<[Duration; 4]> = None;
    for _ in 0..REPEATS {
        let mut model = prepared.model.clone();
        let mut adam = Adam::new(options.adam, model.params());
        let mut grads = model.params().zeros_like();
        let mut total = [Duration::ZERO; 4];
        for (step, doc) in prepared.docs.iter().cycle().take(steps).enumerate() {
            let t0 = Instant::now();
            engine.begin(model.params());
            let t1 = Instant::now();
            let loss = document_loss(&model, &mut engine, doc);
            let t2 = Instant::now();
            engine.backward(loss, &mut grads);
            let t3 = Instant::now();
            adam.step(
                model.params_mut(),
                &grads,
                learning_rate(options.adam.learning_rate().get(), step, steps),
            );
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
    let [begin, forward, backward, adam] = best.expect("REPEATS > 0").map(|d| micros(d / steps as u32));
    Phases { begin_us: begin, forward_us: forward, backward_us: backward, adam_us: adam }
}

/// The mean size of one step's graph on each engine: (scalar nodes, scalar edges, fused ops).
fn graph_sizes(prepared: &Prepared, steps: usize) -> (f64, f64, f64) {
    let (mut nodes, mut edges, mut ops) = (0, 0, 0);
    let mut scalar = ScalarEngine::new();
    let mut fused = FusedEngine::new();
    for doc in prepared.docs.iter().cycle().take(steps) {
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

/// Documents of at most `len` characters: consecutive names joined by '.', so that longer contexts
/// have something to attend over.
fn long_docs(names: &[String], len: usize) -> Vec<String> {
    let mut docs: Vec<String> = Vec::new();
    for name in names {
        let name: String = name.chars().take(len).collect();
        match docs.last_mut() {
            Some(doc) if doc.chars().count() + 1 + name.chars().count() <= len => {
                doc.push('.');
                doc.push_str(&name);
            }
            _ => docs.push(name),
        }
    }
    docs
}

/// The fused engine trained for `SCALING_STEPS` steps on `docs` by a model of the given size.
fn scaling_row(docs: &[String], n_layer: usize, n_embd: usize, block_size: usize) -> ScalingRow {
    let config = |vocab| Config::new(vocab, n_layer, n_embd, 4, block_size);
    let prepared = prepare(docs.to_vec(), &mut ChaCha::seed(SEED), config).expect("a valid configuration");
    let positions: usize =
        prepared.docs.iter().cycle().take(SCALING_STEPS).map(|d| positions(block_size, d.len())).sum();
    let (us_per_step, _) = time_per_step(&prepared, &mut FusedEngine::new(), SCALING_STEPS);
    let positions_per_step = positions as f64 / SCALING_STEPS as f64;
    ScalingRow { n_layer, n_embd, block_size, positions_per_step, us_per_step }
}

/// Every measurement, on `docs`.
fn measure(docs: &[String], command: String) -> microgpt::error::Result<Measurements> {
    let prepared = prepare(docs.to_vec(), &mut ChaCha::seed(SEED), Config::reference)?;
    let block_size = prepared.model.config().block_size();
    let reference = Reference {
        documents: docs.len(),
        parameters: prepared.model.params().len(),
        steps: STEPS,
        positions: prepared.docs.iter().cycle().take(STEPS).map(|d| positions(block_size, d.len())).sum(),
    };

    // One engine each for all the repetitions: both are timed warm, their buffers already grown.
    let (scalar_us, scalar_loss) = time_per_step(&prepared, &mut ScalarEngine::new(), STEPS);
    let (fused_us, fused_loss) = time_per_step(&prepared, &mut FusedEngine::new(), STEPS);
    let (nodes, edges, ops) = graph_sizes(&prepared, STEPS);
    let scalar = ScalarTiming {
        us_per_step: scalar_us,
        nodes_per_step: nodes,
        edges_per_step: edges,
        final_loss: scalar_loss,
    };
    let phases = phases(&prepared, STEPS);
    let fused = FusedTiming { us_per_step: fused_us, ops_per_step: ops, final_loss: fused_loss, phases };

    // From the reference model (n_layer 1, n_embd 16, block_size 16), one size at a time.
    let joined = |block_size| long_docs(docs, block_size - 1);
    let scaling = Scaling {
        steps: SCALING_STEPS,
        by_n_embd: [16, 32, 64, 128].map(|n_embd| scaling_row(docs, 1, n_embd, 16)).into(),
        by_n_layer: [1, 2, 4].map(|n_layer| scaling_row(docs, n_layer, 16, 16)).into(),
        by_block_size: [16, 32, 64].map(|block| scaling_row(&joined(block), 1, 16, block)).into(),
    };
    Ok(Measurements { command, machine: machine(), repeats: REPEATS, reference, scalar, fused, scaling })
}

/// The measurements as the markdown the book includes.
fn print_markdown(m: &Measurements) {
    let Measurements { reference: r, scalar, fused, scaling, .. } = m;
    println!(
        "Measured with `{}` on {} ({} CPUs); every time is the best of {} runs.",
        m.command, m.machine.cpu, m.machine.cpus, m.repeats
    );
    println!();
    println!(
        "The reference run: {} documents, {} parameters, {} steps, {} positions.",
        r.documents, r.parameters, r.steps, r.positions
    );
    println!();
    println!("| engine | training time | per step | graph per step | final loss |");
    println!("|---|---:|---:|---:|---:|");
    let total_ms = |us_per_step: f64| us_per_step * r.steps as f64 / 1e3;
    println!(
        "| scalar tape | {:.1} ms | {:.1} µs | {:.0} nodes, {:.0} edges | {:.6} |",
        total_ms(scalar.us_per_step),
        scalar.us_per_step,
        scalar.nodes_per_step,
        scalar.edges_per_step,
        scalar.final_loss
    );
    println!(
        "| fused | {:.1} ms | {:.1} µs | {:.0} ops | {:.6} |",
        total_ms(fused.us_per_step),
        fused.us_per_step,
        fused.ops_per_step,
        fused.final_loss
    );
    println!();
    println!("The fused engine is {:.2}× faster. One fused step, phase by phase (µs):", m.speed_up());
    println!();
    let p = &fused.phases;
    println!("| begin | forward | backward | Adam | total |");
    println!("|---:|---:|---:|---:|---:|");
    println!(
        "| {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
        p.begin_us,
        p.forward_us,
        p.backward_us,
        p.adam_us,
        p.total_us()
    );
    println!();
    println!(
        "Scaling: the fused engine, {} steps per run, changing one size of the reference model at a time:",
        scaling.steps
    );
    println!();
    println!("| changed | n_layer | n_embd | block_size | positions/step | µs/step | µs/position |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let sweeps = [
        ("n_embd", &scaling.by_n_embd),
        ("n_layer", &scaling.by_n_layer),
        ("block_size", &scaling.by_block_size),
    ];
    for (changed, rows) in sweeps {
        for row in rows {
            println!(
                "| {changed} | {} | {} | {} | {:.1} | {:.1} | {:.2} |",
                row.n_layer,
                row.n_embd,
                row.block_size,
                row.positions_per_step,
                row.us_per_step,
                row.us_per_position()
            );
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let docs = corpus(args.corpus.as_deref())?;
    let mut command = "cargo run --release --example bench".to_string();
    if let Some(path) = &args.corpus {
        command += &format!(" -- {}", path.display());
    }
    let measurements = measure(&docs, command)?;
    print_markdown(&measurements);
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&measurements)? + "\n";
        std::fs::write(path, json).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(())
}
