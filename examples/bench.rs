//! Measures training speed: the scalar tape against the fused engine on the reference run, where a
//! fused step spends its time, and how the cost of a step grows with the model's size.
//!
//! ```sh
//! cargo run --release --example bench                      # built-in corpus
//! cargo run --release --example bench -- ../shared/data/names.txt
//! cargo run --release --example bench -- --json chapters/measured/bench.json > chapters/measured/bench.md
//! cargo run --release --example bench -- --baseline 3220e8f > chapters/measured/compare.md
//! ```
//!
//! It prints its tables as markdown; with `--json PATH` it also writes every number as a
//! [`Measurements`], which is what the book's `efficiency.svg` draws (the third command above is the
//! one that refreshes both).
//!
//! Every run is repeated, and each step keeps its best time over the repetitions: a machine shared
//! with other work interrupts some steps of some runs, and the minimum is the least disturbed (see
//! [`keep_best`]). Both engines are measured in the same process, one after the other.
//!
//! With `--baseline REV|PATH` it compares this build with another one instead: a git revision of
//! this repository (exported with `git archive` and built under `target/bench-baseline/`, with this
//! bench in place of its own, so that both are timed the same way), a source tree, or a directory
//! holding a built `microgpt` and `examples/bench`. Both builds run the same
//! commands, alternately, in one run: the whole process `microgpt run --steps 1000 --quiet` and its
//! start-up alone (`--steps 0 --samples 0`), as medians of `--runs` runs, on the clock and, where
//! `perf stat` works, in processor time (which a busy machine inflates less); the peak resident memory
//! of the whole process (GNU time's `%M`, where `/usr/bin/time` exists); each build's own bench for
//! the phases of a fused step (the best of five alternating runs); and, where valgrind is
//! installed, callgrind's instruction counts of each phase, which do not depend on the load.

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
const REPEATS: usize = 15;
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
    /// Compare this build with another: a git revision, a source tree, or a build directory
    #[arg(long, value_name = "REV|PATH", conflicts_with = "json")]
    baseline: Option<String>,
    /// Whole-process runs of each build when comparing
    #[arg(long, value_name = "N", default_value_t = 31)]
    runs: usize,
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

/// Microseconds, to the nanosecond.
fn micros(d: Duration) -> f64 {
    d.as_nanos() as f64 / 1e3
}

/// Keeps, for each step of a run, its shortest time over all runs so far.
///
/// A machine shared with other work sometimes takes the processor away in the middle of a run; the
/// steps it interrupts look slow. The same step (the same document) interrupted in every one of
/// `REPEATS` runs is unlikely, so the sum of each step's best time is the run as it would be
/// undisturbed, and it still counts every step, short documents and long.
fn keep_best(best: &mut Vec<Duration>, run: &[Duration]) {
    if best.is_empty() {
        best.extend_from_slice(run);
    }
    for (b, &d) in best.iter_mut().zip(run) {
        *b = (*b).min(d);
    }
}

/// Trains a fresh copy of `prepared.model` for `steps` steps; returns the final loss and the time of
/// each step (from one report of the training loop to the next).
fn run<E: Engine>(prepared: &Prepared, engine: &mut E, steps: usize) -> (f64, Vec<Duration>) {
    let mut model = prepared.model.clone();
    let options = TrainOptions { steps, ..TrainOptions::default() };
    let mut last = f64::NAN;
    let mut times = Vec::with_capacity(steps);
    let mut previous = Instant::now();
    train(&mut model, engine, &prepared.docs, &options, |r| {
        let now = Instant::now();
        times.push(now - previous);
        previous = now;
        last = r.loss;
    })
    .expect("training succeeds");
    (last, times)
}

/// Time per step of training `prepared` for `steps` steps on `engine` (each step's best of
/// `REPEATS` runs, see [`keep_best`]), and the final loss.
fn time_per_step<E: Engine>(prepared: &Prepared, engine: &mut E, steps: usize) -> (f64, f64) {
    let (mut best, mut loss) = (Vec::new(), f64::NAN);
    for _ in 0..REPEATS {
        let (last, times) = run(prepared, engine, steps);
        keep_best(&mut best, &times);
        loss = last;
    }
    (micros(best.iter().sum::<Duration>() / steps as u32), loss)
}

/// Where one fused step spends its time: the training loop of `train`, with a clock read between
/// its phases. Each phase of each step is its best of `REPEATS` runs of `steps` steps.
fn phases(prepared: &Prepared, steps: usize) -> Phases {
    let options = TrainOptions::default();
    let mut engine = FusedEngine::new();
    let mut best: [Vec<Duration>; 4] = Default::default();
    for _ in 0..REPEATS {
        let mut model = prepared.model.clone();
        let mut adam = Adam::new(options.adam, model.params());
        let mut grads = model.params().zeros_like();
        let mut times: [Vec<Duration>; 4] = Default::default();
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
            for (phase, d) in times.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3]) {
                phase.push(d);
            }
        }
        for (b, t) in best.iter_mut().zip(&times) {
            keep_best(b, t);
        }
    }
    let [begin, forward, backward, adam] = best.map(|b| micros(b.iter().sum::<Duration>() / steps as u32));
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
        "Measured with `{}` on {} ({} CPUs); each step's time is its best of {} runs.",
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
    if let Some(baseline) = &args.baseline {
        return compare::compare(baseline, args.runs);
    }
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

/// `--baseline`: this build beside another one, measured alternately in one run.
mod compare {
    use microgpt_figures::Measurements;
    use std::error::Error;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Stdio};
    use std::time::Instant;

    type Result<T> = std::result::Result<T, Box<dyn Error>>;

    /// Runs of each build's own bench for the phases of a step.
    const PHASE_RUNS: usize = 5;

    /// A build: its `microgpt` binary and its `examples/bench`.
    struct Build {
        name: String,
        microgpt: PathBuf,
        bench: PathBuf,
    }

    /// The repository's root (this example's crate).
    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    /// Where cargo puts this workspace's builds.
    fn target_dir() -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
    }

    /// Runs `command`, failing with its stderr if it fails.
    fn run(command: &mut Command) -> Result<()> {
        let output = command.stdout(Stdio::null()).stderr(Stdio::piped()).output()?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!("{command:?} failed:\n{}", String::from_utf8_lossy(&output.stderr)).into())
        }
    }

    /// `cargo build --release` of the binary and the bench of the source tree `src` into `target`.
    fn build(src: &Path, target: &Path, name: String) -> Result<Build> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        eprintln!("building {name} in {}", src.display());
        run(Command::new(cargo)
            .args(["build", "--release", "--bin", "microgpt", "--example", "bench"])
            .current_dir(src)
            .env("CARGO_TARGET_DIR", target))?;
        Ok(Build {
            name,
            microgpt: target.join("release/microgpt"),
            bench: target.join("release/examples/bench"),
        })
    }

    /// The baseline `spec`: a directory with a built `microgpt`, a source tree, or a git revision.
    fn baseline(spec: &str) -> Result<Build> {
        let path = Path::new(spec);
        if path.join("microgpt").is_file() && path.join("examples/bench").is_file() {
            let (microgpt, bench) = (path.join("microgpt"), path.join("examples/bench"));
            return Ok(Build { name: spec.to_string(), microgpt, bench });
        }
        let base = target_dir().join("bench-baseline");
        if path.join("Cargo.toml").is_file() {
            return build(path, &base.join("path-target"), spec.to_string());
        }
        let commit = String::from_utf8(
            Command::new("git").args(["rev-parse", "--short", spec]).current_dir(root()).output()?.stdout,
        )?
        .trim()
        .to_string();
        if commit.is_empty() {
            return Err(format!("{spec} is neither a build, a source tree nor a git revision").into());
        }
        let src = base.join(format!("{commit}-src"));
        if !src.join("Cargo.toml").is_file() {
            std::fs::create_dir_all(&src)?;
            let archive = Command::new("git")
                .args(["archive", &commit])
                .current_dir(root())
                .stdout(Stdio::piped())
                .spawn()?;
            run(Command::new("tar")
                .arg("-x")
                .current_dir(&src)
                .stdin(archive.stdout.ok_or("no git archive")?))?;
        }
        // This bench, not the revision's own, so that both builds are timed the same way (it uses
        // only the library's public API).
        std::fs::copy(root().join("examples/bench.rs"), src.join("examples/bench.rs"))?;
        let name = if commit.starts_with(spec) { commit.clone() } else { format!("{spec} ({commit})") };
        build(&src, &base.join(format!("{commit}-target")), name)
    }

    /// Seconds of one run of `microgpt` with `args`, stdout discarded.
    fn seconds(microgpt: &Path, args: &[&str]) -> Result<f64> {
        let start = Instant::now();
        run(Command::new(microgpt).args(args))?;
        Ok(start.elapsed().as_secs_f64())
    }

    /// Milliseconds of processor time (user and system) of one run, from `perf stat`'s task clock,
    /// or `None` where perf does not work. Unlike the time on the clock, it does not grow while the
    /// process waits for a processor that other processes are using.
    fn cpu_ms(microgpt: &Path, args: &[&str]) -> Result<Option<f64>> {
        let out = Command::new("perf")
            .args(["stat", "-x,", "-e", "task-clock", "--"])
            .arg(microgpt)
            .args(args)
            .output();
        let Ok(out) = out else { return Ok(None) };
        let text = String::from_utf8_lossy(&out.stderr);
        Ok(text.lines().find(|l| l.contains("task-clock")).and_then(|l| l.split(',').next()?.parse().ok()))
    }

    /// Peak resident memory in KB of one run, from GNU time, or `None` without it.
    fn peak_kb(microgpt: &Path, args: &[&str]) -> Result<Option<f64>> {
        let time = Path::new("/usr/bin/time");
        if !time.is_file() {
            return Ok(None);
        }
        let out =
            Command::new(time).args(["-f", "%M"]).arg(microgpt).args(args).stdout(Stdio::null()).output()?;
        let text = String::from_utf8_lossy(&out.stderr);
        Ok(text.lines().last().and_then(|l| l.trim().parse().ok()))
    }

    /// The fused engine's phases from one run of a build's own bench: [begin, forward, backward,
    /// Adam] in µs per step.
    fn phases(bench: &Path) -> Result<[f64; 4]> {
        let json = std::env::temp_dir().join(format!("microgpt-bench-{}.json", std::process::id()));
        run(Command::new(bench).arg("--json").arg(&json))?;
        let m: Measurements = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
        std::fs::remove_file(&json)?;
        let p = m.fused.phases;
        Ok([p.begin_us, p.forward_us, p.backward_us, p.adam_us])
    }

    /// Callgrind's instruction counts of one run: [whole run, start-up and sampling, begin, forward,
    /// backward, Adam], or `None` without valgrind.
    fn instructions(microgpt: &Path) -> Result<Option<[f64; 6]>> {
        let out_file = std::env::temp_dir().join(format!("microgpt-callgrind-{}.out", std::process::id()));
        let status = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out_file.display()))
            .arg(microgpt)
            .args(["run", "--steps", "1000", "--quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            return Ok(None);
        }
        let annotate = Command::new("callgrind_annotate").arg("--inclusive=yes").arg(&out_file).output()?;
        std::fs::remove_file(&out_file)?;
        let text = String::from_utf8_lossy(&annotate.stdout);
        // "  515,003,974 (90.83%)  /path/src/train.rs:microgpt::train::train [/path/microgpt]": the
        // largest count of the lines that name the function itself (not code inlined into it).
        let count = |function: &str| {
            text.lines()
                .filter(|l| l.contains(&format!(":{function} [")) || l.ends_with(function))
                .filter_map(|l| l.split_whitespace().next()?.replace(',', "").parse::<f64>().ok())
                .fold(0.0, f64::max)
        };
        let total = count("PROGRAM TOTALS");
        let fused = "<microgpt::fused::FusedEngine as microgpt::engine::Engine>";
        Ok(Some([
            total,
            total - count("microgpt::train::train"),
            count(&format!("{fused}::begin")),
            count("microgpt::loss::document_loss"),
            count(&format!("{fused}::backward")),
            count("microgpt::optim::Adam::step"),
        ]))
    }

    /// The median of some numbers.
    fn median(mut xs: Vec<f64>) -> f64 {
        xs.sort_by(f64::total_cmp);
        let n = xs.len();
        if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
    }

    /// The load average of the last minute: how busy the machine was while it measured.
    fn load() -> String {
        let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        loadavg.split_whitespace().next().unwrap_or("unknown").to_string()
    }

    pub fn compare(spec: &str, runs: usize) -> Result<()> {
        let base = baseline(spec)?;
        let load_before = load();
        let this = build(&root(), &target_dir(), "this build".to_string())?;
        let builds = [&base, &this];
        let whole = ["run", "--steps", "1000", "--quiet"];
        let startup = ["run", "--steps", "0", "--samples", "0", "--quiet"];

        eprintln!("whole process and start-up, {runs} runs each, alternately");
        let mut times = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
        let mut cpu_times = [[Vec::new(), Vec::new()], [Vec::new(), Vec::new()]];
        for _ in 0..runs {
            for (b, build) in builds.iter().enumerate() {
                times[b][0].push(seconds(&build.microgpt, &whole)? * 1e3);
                times[b][1].push(seconds(&build.microgpt, &startup)? * 1e3);
                cpu_times[b][0].extend(cpu_ms(&build.microgpt, &whole)?);
                cpu_times[b][1].extend(cpu_ms(&build.microgpt, &startup)?);
            }
        }
        let mut peak = [Vec::new(), Vec::new()];
        for _ in 0..5 {
            for (b, build) in builds.iter().enumerate() {
                peak[b].extend(peak_kb(&build.microgpt, &whole)?);
            }
        }
        eprintln!("phases: each build's bench, {PHASE_RUNS} times, alternately");
        let mut phase_runs = [Vec::new(), Vec::new()];
        for _ in 0..PHASE_RUNS {
            for (b, build) in builds.iter().enumerate() {
                phase_runs[b].push(phases(&build.bench)?);
            }
        }
        eprintln!("instructions: callgrind, once each");
        let counts = [instructions(&base.microgpt)?, instructions(&this.microgpt)?];

        let cpu = super::machine();
        println!(
            "Measured with `cargo run --release --example bench -- --baseline {spec}` on {} ({} CPUs): \
             {} against this build, alternately in one run; load average {} before, {} after.",
            cpu.cpu,
            cpu.cpus,
            base.name,
            load_before,
            load()
        );
        println!();
        println!("| measure | {} | this build | ratio |", base.name);
        println!("|---|---:|---:|---:|");
        let row = |label: &str, unit: &str, digits: usize, a: f64, b: f64| {
            println!("| {label} | {a:.digits$} {unit} | {b:.digits$} {unit} | ×{:.2} |", a / b);
        };
        let med = |b: usize, i: usize| median(times[b][i].clone());
        row(&format!("whole process, median of {runs}"), "ms", 1, med(0, 0), med(1, 0));
        row(&format!("start-up (`--steps 0 --samples 0`), median of {runs}"), "ms", 2, med(0, 1), med(1, 1));
        if cpu_times.iter().all(|c| c.iter().all(|runs| !runs.is_empty())) {
            let c = |b: usize, i: usize| median(cpu_times[b][i].clone());
            row(&format!("whole process, processor time, median of {runs}"), "ms", 1, c(0, 0), c(1, 0));
            row(&format!("start-up, processor time, median of {runs}"), "ms", 2, c(0, 1), c(1, 1));
        }
        if !peak[0].is_empty() && !peak[1].is_empty() {
            let p = |b: usize| median(peak[b].clone()) / 1024.0;
            row("peak resident memory, median of 5", "MB", 2, p(0), p(1));
        }
        let names = ["begin", "forward", "backward", "Adam"];
        // Each bench reports the best of its repetitions; the best of those is the least disturbed.
        let phase = |b: usize, i: usize| phase_runs[b].iter().map(|p| p[i]).fold(f64::INFINITY, f64::min);
        for (i, name) in names.iter().enumerate() {
            row(
                &format!("{name}, per step (best of {PHASE_RUNS} benches)"),
                "µs",
                2,
                phase(0, i),
                phase(1, i),
            );
        }
        let total = |b: usize| (0..4).map(|i| phase(b, i)).sum::<f64>();
        row("fused step, per step", "µs", 2, total(0), total(1));
        if let [Some(a), Some(b)] = counts {
            println!();
            println!("Instructions (callgrind, `microgpt run --steps 1000 --quiet`, millions):");
            println!();
            println!("| part of the run | {} | this build | ratio |", base.name);
            println!("|---|---:|---:|---:|");
            let labels = ["whole run", "start-up and sampling", "begin", "forward", "backward", "Adam"];
            for (i, label) in labels.iter().enumerate() {
                println!("| {label} | {:.1} M | {:.1} M | ×{:.2} |", a[i] / 1e6, b[i] / 1e6, a[i] / b[i]);
            }
        }
        Ok(())
    }
}
