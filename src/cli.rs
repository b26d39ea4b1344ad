//! # The command line: the only place that prints
//!
//! `microgpt run` (also what a plain `microgpt` does) trains on a corpus and prints the names the
//! model invents; `microgpt sample` prints names from a saved checkpoint. Names go to stdout, one per
//! line and nothing else, so they can be piped. Everything for the person watching (progress, the
//! parameter count, timings) goes to stderr, and `--quiet` silences it; errors are one line there.
//!
//! Both commands are written once, generic over the random source and the engine (the [`Job`]
//! trait). [`dispatch`] is the one place that turns `--rng` (or a checkpoint's saved stream) into a
//! generator type, and [`with_engine`] the one place that picks the engine.
//!
//! Everything a user supplies is checked before any work is done: the numbers by the library's
//! types, the output paths by [`files::check_output`] and against each other and the corpus by
//! [`files::same_file`]. Writing to stdout stops quietly when the reader has gone (`| head`);
//! any other write error, on stdout or stderr, is an error. A signal that ends the program in the
//! middle of a save removes the save's temporary file first ([`remove_temporary_files_on_signals`]).

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};
use microgpt::checkpoint::{Checkpoint, Training};
use microgpt::data::{self, BUILTIN_SOURCE};
use microgpt::engine::{Engine, ScalarEngine};
use microgpt::error::{compact, printable};
use microgpt::files;
use microgpt::fused::FusedEngine;
use microgpt::loss::positions;
use microgpt::model::{Config, Gpt};
use microgpt::optim::{AdamConfig, LearningRate};
use microgpt::python_random::PyRandom;
use microgpt::rng::{ChaCha, RandomSource, Resumable, RngKind, RngState};
use microgpt::sample::{Temperature, sample};
use microgpt::tokenizer::Tokenizer;
use microgpt::train::{Prepared, StepReport, TrainOptions, prepare_for, prepare_with, train};
use microgpt::{Error, Result};
use std::borrow::Cow;
use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt::Display;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The running mean in the progress report is over this many most recent steps.
const MEAN_WINDOW: usize = 100;

// ANCHOR: Cli
/// Train a tiny GPT on a list of names, then let it invent new ones.
///
/// Without a subcommand, `microgpt` runs `microgpt run` with the options given.
#[derive(Debug, Parser)]
#[command(name = "microgpt", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
    /// Print nothing on stderr except errors
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Train on a corpus, then print the names the model invents (the default)
    Run(RunArgs),
    /// Print names from a checkpoint saved by `run --save`
    Sample(SampleArgs),
}
// ANCHOR_END: Cli

/// The reference model's shape: microgpt.py's sizes (the vocabulary comes from the corpus).
fn reference() -> Config {
    Config::reference(1).expect("the reference sizes are valid")
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Train on this file, one document per line (blank lines skipped) [default: the built-in
    /// 32,000 names]
    #[arg(long, value_name = "PATH")]
    data: Option<PathBuf>,
    /// Training steps, one document each; 0 samples from the untrained model
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = TrainOptions::default().steps)]
    steps: usize,
    /// Seed of the random stream that shuffles, initialises and samples
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 42)]
    seed: u64,
    /// Random generator: `python` reproduces microgpt.py's every draw
    #[arg(long, value_enum, default_value_t = RngArg::Chacha)]
    rng: RngArg,
    #[command(flatten)]
    engine: EngineArgs,
    /// Adam's learning rate at step 0, decaying linearly to 0
    #[arg(long, value_name = "LR", allow_hyphen_values = true, default_value_t = AdamConfig::default().learning_rate().get())]
    lr: f64,
    /// Transformer blocks
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = reference().n_layer())]
    n_layer: usize,
    /// Embedding width
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = reference().n_embd())]
    n_embd: usize,
    /// Attention heads (must divide --n-embd)
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = reference().n_head())]
    n_head: usize,
    /// Context length in tokens; longer documents are cut to their first block_size positions
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = reference().block_size())]
    block_size: usize,
    #[command(flatten)]
    sampling: SamplingArgs,
    /// Save the trained model to this checkpoint file
    #[arg(long, value_name = "PATH")]
    save: Option<PathBuf>,
    /// Write each step's loss and learning rate to this CSV file (step,loss,lr)
    #[arg(long, value_name = "PATH")]
    losses: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct SampleArgs {
    /// The checkpoint to sample from
    #[arg(long, value_name = "PATH")]
    model: PathBuf,
    #[command(flatten)]
    sampling: SamplingArgs,
    /// Start a new random stream from this seed [default: continue the stream the checkpoint
    /// saved, so that `sample` prints the names `run` printed]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    seed: Option<u64>,
    /// Random generator of a new stream [default: the training generator]
    #[arg(long, value_enum)]
    rng: Option<RngArg>,
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Debug, Args)]
struct EngineArgs {
    /// Autograd engine: `scalar` is the tape of scalar nodes the book builds first, `fused` the
    /// same computation with one node per vector operation (same forward pass, about six times faster)
    #[arg(long, value_enum, default_value_t = EngineArg::Fused)]
    engine: EngineArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum EngineArg {
    /// One node per vector operation, hand-written backward loops
    Fused,
    /// One node per scalar operation, as in microgpt.py
    Scalar,
}

#[derive(Debug, Args)]
struct SamplingArgs {
    /// How many names to print
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 20)]
    samples: usize,
    /// Sampling temperature, above 0: lower is safer, higher is wilder
    #[arg(long, value_name = "T", allow_hyphen_values = true, default_value_t = Temperature::default().get())]
    temperature: f64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RngArg {
    /// ChaCha8
    Chacha,
    /// CPython's Mersenne Twister
    Python,
}

impl From<RngArg> for RngKind {
    fn from(arg: RngArg) -> Self {
        match arg {
            RngArg::Chacha => RngKind::ChaCha,
            RngArg::Python => RngKind::Python,
        }
    }
}

impl Cli {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let Cli { command, run, quiet } = self;
        let ui = Ui::new(quiet);
        match command.unwrap_or(Command::Run(run)) {
            Command::Run(args) => run_command(&args, &ui),
            Command::Sample(args) => sample_command(&args, &ui),
        }
    }
}

// ANCHOR: Job
/// A command's work, written once for any random source and engine.
trait Job {
    fn run<R: Resumable, E: Engine>(self, rng: R, engine: E) -> Result<()>;
}

/// Where a command's random stream starts.
enum Stream {
    /// A new generator of this kind, with this seed.
    Seeded(RngKind, u64),
    /// A saved generator, where it stood.
    Saved(RngState),
}

/// Runs `job` on the random stream `stream`: the one place `--rng` or a saved state becomes a
/// type.
fn dispatch(job: impl Job, stream: &Stream, engine: EngineArg) -> Result<()> {
    match stream {
        Stream::Seeded(RngKind::ChaCha, seed) => with_engine(job, ChaCha::seed(*seed), engine),
        Stream::Seeded(RngKind::Python, seed) => with_engine(job, PyRandom::seed(*seed), engine),
        Stream::Saved(state) => match state.kind() {
            RngKind::ChaCha => with_engine(job, ChaCha::resume(state)?, engine),
            RngKind::Python => with_engine(job, PyRandom::resume(state)?, engine),
        },
    }
}

/// Runs `job` on the engine `--engine` names: the one place it is chosen.
fn with_engine<R: Resumable>(job: impl Job, rng: R, engine: EngineArg) -> Result<()> {
    match engine {
        EngineArg::Fused => job.run(rng, FusedEngine::new()),
        EngineArg::Scalar => job.run(rng, ScalarEngine::new()),
    }
}
// ANCHOR_END: Job

/// Messages for the person watching: stderr, unless `--quiet`.
struct Ui {
    quiet: bool,
    /// Whether stderr is a terminal, where a progress bar can redraw itself.
    terminal: bool,
    /// The first error writing to stderr, other than a reader that has gone.
    failed: Cell<Option<io::Error>>,
}

impl Ui {
    fn new(quiet: bool) -> Self {
        Ui { quiet, terminal: io::stderr().is_terminal(), failed: Cell::new(None) }
    }

    /// Writes a line to stderr. A write that fails does not stop the work in progress (a save
    /// must not be lost to a full disk under the log); [`Ui::check`] reports it.
    fn line(&self, text: impl Display) {
        if self.quiet {
            return;
        }
        match writeln!(io::stderr(), "{text}") {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                let first = self.failed.take().unwrap_or(e);
                self.failed.set(Some(first));
            }
            _ => {}
        }
    }

    /// The first error writing to stderr, if there was one: called before training, so that a
    /// run whose messages cannot be written stops before it changes anything, and at the end.
    fn check(&self) -> Result<()> {
        match self.failed.take() {
            Some(e) => Err(Error::io(Path::new("stderr"), &e)),
            None => Ok(()),
        }
    }
}

/// Ends the program on Ctrl-C, `kill` or a closed terminal as the signal would have ended it,
/// after removing the temporary file of a save in progress ([`files::remove_temporary_files`]);
/// a write past `ulimit -f` then fails with an error instead of killing the program.
#[cfg(unix)]
pub fn remove_temporary_files_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
    use signal_hook::iterator::Signals;
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGXFSZ]) else {
        return;
    };
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if signal != SIGXFSZ {
                files::remove_temporary_files();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        }
    });
}

#[cfg(not(unix))]
pub fn remove_temporary_files_on_signals() {}

fn run_command(args: &RunArgs, ui: &Ui) -> Result<()> {
    // Whatever can be checked before training is checked before training.
    let temperature = Temperature::new(args.sampling.temperature)?;
    let learning_rate = LearningRate::new(args.lr)?;
    let options =
        TrainOptions { steps: args.steps, adam: AdamConfig::default().with_learning_rate(learning_rate) };
    check_files(args)?;
    let stream = Stream::Seeded(args.rng.into(), args.seed);
    dispatch(RunJob { args, options, temperature, ui }, &stream, args.engine.engine)
}

/// Checks the files `run` will write, before it reads any: no output is the corpus or the other
/// output (compared as files, so `./x` and a link to `x` are `x`), and each can be written.
fn check_files(args: &RunArgs) -> Result<()> {
    let named = [("--data", &args.data), ("--save", &args.save), ("--losses", &args.losses)];
    let named: Vec<(&str, &Path)> = named.iter().filter_map(|(o, p)| Some((*o, p.as_deref()?))).collect();
    for (i, (option, path)) in named.iter().enumerate() {
        if let Some((other, _)) = named[..i].iter().find(|(_, earlier)| files::same_file(path, earlier)) {
            let message =
                format!("{option} and {other} name the same file: writing it would destroy the other");
            return Err(Error::Io { path: path.display().to_string(), message });
        }
    }
    for (_, path) in named.iter().filter(|(option, _)| *option != "--data") {
        files::check_output(path)?;
    }
    Ok(())
}

/// `microgpt run`: read, prepare, train, save, sample.
struct RunJob<'a> {
    args: &'a RunArgs,
    options: TrainOptions,
    temperature: Temperature,
    ui: &'a Ui,
}

impl Job for RunJob<'_> {
    fn run<R: Resumable, E: Engine>(self, mut rng: R, mut engine: E) -> Result<()> {
        let start = Instant::now();
        let args = self.args;
        let steps = self.options.steps;
        let source = match &args.data {
            Some(path) => path.display().to_string(),
            None => BUILTIN_SOURCE.to_string(),
        };
        let (prepared, documents, cut) = match &args.data {
            Some(path) => {
                let text = data::read_corpus(path)?;
                prepare_run(args, steps, data::parse_docs(&text, &source)?, None, &mut rng)?
            }
            // The built-in corpus was split and its vocabulary found when the crate was compiled.
            None => {
                prepare_run(args, steps, data::builtin_corpus(), Some(data::builtin_tokenizer()), &mut rng)?
            }
        };
        let Prepared { tokenizer, docs, mut model } = prepared;
        self.report_prepared(&source, documents, &tokenizer, cut, model.config(), start);
        self.ui.check()?;
        let trained = self.train(&mut model, &mut engine, &docs)?;
        // Training draws nothing: the stream stands where sampling begins.
        self.save(&model, &tokenizer, &source, documents, &trained, rng.state())?;
        let n = self.args.sampling.samples;
        print_samples(&model, &tokenizer, &mut engine, self.temperature, n, &mut rng, self.ui)?;
        self.ui.check()
    }
}

/// Prepares a run of `steps` steps on `docs`, whose vocabulary is `vocabulary` if it is known, and
/// counts the documents and how many of them `block_size` cuts.
fn prepare_run<S: AsRef<str>, R: RandomSource>(
    args: &RunArgs,
    steps: usize,
    docs: Vec<S>,
    vocabulary: Option<Tokenizer>,
    rng: &mut R,
) -> Result<(Prepared, usize, usize)> {
    let documents = docs.len();
    // A document of c characters is c + 2 tokens, which block_size may cut. (It has at least c
    // bytes, so only the long ones need their characters counted.)
    let block_size = args.block_size;
    let long = docs.iter().map(AsRef::as_ref).filter(|d| d.len() + 1 > block_size).map(|d| d.chars().count());
    let cut = long.filter(|&c| positions(block_size, c + 2) < c + 1).count();
    let config = |vocab_size| Config::new(vocab_size, args.n_layer, args.n_embd, args.n_head, block_size);
    let prepared = match vocabulary {
        Some(tokenizer) => prepare_with(steps, docs, tokenizer, rng, config)?,
        None => prepare_for(steps, docs, rng, config)?,
    };
    Ok((prepared, documents, cut))
}

/// What training reported: every step when `--losses` asks for them, and the last one.
struct Trained {
    log: Vec<StepReport>,
    last: Option<StepReport>,
}

impl RunJob<'_> {
    /// Tells the person watching what was read and what will be trained.
    fn report_prepared(
        &self,
        source: &str,
        documents: usize,
        tokenizer: &Tokenizer,
        cut: usize,
        config: &Config,
        start: Instant,
    ) {
        let ui = self.ui;
        ui.line(format!(
            "data: {} documents from {}; {} characters + BOS = {} tokens",
            HumanCount(documents as u64),
            printable(source),
            tokenizer.chars().len(),
            tokenizer.vocab_size()
        ));
        ui.line(format!(
            "model: {} parameters (n_layer {}, n_embd {}, n_head {}, block_size {}); rng {}, seed {}; \
             ready in {} ms",
            HumanCount(config.n_params() as u64),
            config.n_layer(),
            config.n_embd(),
            config.n_head(),
            config.block_size(),
            RngKind::from(self.args.rng),
            self.args.seed,
            start.elapsed().as_millis()
        ));
        if cut > 0 {
            ui.line(format!(
                "note: {cut} of {documents} documents do not fit in block_size {bs}: microgpt trains on the \
                 first {bs} positions of each (BOS and {} characters) and never sees the rest",
                config.block_size() - 1,
                bs = config.block_size(),
            ));
        }
    }

    /// Trains `model` with a progress report, and says how it went.
    fn train<E: Engine>(&self, model: &mut Gpt, engine: &mut E, docs: &[Vec<usize>]) -> Result<Trained> {
        let start = Instant::now();
        let mut progress = Progress::new(self.ui, self.options.steps);
        // Kept only when asked for: a long run would otherwise hold every step in memory.
        let mut log = Vec::new();
        let trained = train(model, engine, docs, &self.options, |r| {
            progress.step(r);
            if self.args.losses.is_some() {
                log.push(*r);
            }
        });
        progress.finish();
        trained?;
        let seconds = start.elapsed().as_secs_f64();
        match progress.last {
            Some(last) => self.ui.line(format!(
                "trained {} steps in {seconds:.2} s ({} steps/s): final loss {:.4}, {}",
                last.step,
                HumanCount((last.step as f64 / seconds) as u64),
                last.loss,
                progress.running_mean()
            )),
            None => self.ui.line("no training steps: sampling from the untrained model"),
        }
        Ok(Trained { log, last: progress.last })
    }

    /// Writes the checkpoint (`--save`) and the loss log (`--losses`), where asked for.
    fn save(
        &self,
        model: &Gpt,
        tokenizer: &Tokenizer,
        source: &str,
        documents: usize,
        trained: &Trained,
        stream: RngState,
    ) -> Result<()> {
        let args = self.args;
        if let Some(path) = &args.save {
            let final_loss = trained.last.map(|r| r.loss);
            let training =
                Training::new(&self.options, args.seed, stream, source.to_string(), documents, final_loss);
            Checkpoint::new(model, tokenizer, training).save(path)?;
            self.ui.line(format!("saved the model to {}", printable(&path.display().to_string())));
        }
        if let Some(path) = &args.losses {
            files::write_atomic(path, losses_csv(&trained.log).as_bytes())?;
            let path = path.display().to_string();
            self.ui.line(format!("wrote {} losses to {}", trained.log.len(), printable(&path)));
        }
        Ok(())
    }
}

/// `step,loss,lr`, one row per step, every number in the shortest form that reads back exactly.
fn losses_csv(reports: &[StepReport]) -> String {
    let rows = reports.iter().map(|r| format!("{},{:?},{:?}\n", r.step, r.loss, r.learning_rate));
    std::iter::once("step,loss,lr\n".to_string()).chain(rows).collect()
}

// ANCHOR: Progress
/// Training progress on stderr: a bar on a terminal, otherwise a line every tenth of the run.
struct Progress<'a> {
    ui: &'a Ui,
    bar: Option<ProgressBar>,
    every: usize,
    /// The losses of the most recent [`MEAN_WINDOW`] steps.
    recent: VecDeque<f64>,
    /// The latest step's report.
    last: Option<StepReport>,
}

impl<'a> Progress<'a> {
    fn new(ui: &'a Ui, steps: usize) -> Self {
        let bar = (ui.terminal && !ui.quiet && steps > 0).then(|| {
            let style = ProgressStyle::with_template("{bar:30} step {pos}/{len}  {msg}  eta {eta}")
                .expect("the template is valid");
            ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr()).with_style(style)
        });
        let recent = VecDeque::with_capacity(MEAN_WINDOW);
        Progress { ui, bar, every: steps.div_ceil(10).max(1), recent, last: None }
    }

    fn step(&mut self, report: &StepReport) {
        if self.recent.len() == MEAN_WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(report.loss);
        self.last = Some(*report);
        let status = || format!("loss {:.4}, {}", report.loss, self.running_mean());
        match &self.bar {
            Some(bar) => {
                bar.set_position(report.step as u64);
                bar.set_message(status());
            }
            None if report.step.is_multiple_of(self.every) || report.step == report.steps => {
                let width = report.steps.to_string().len();
                self.ui.line(format!("step {:>width$}/{}: {}", report.step, report.steps, status()));
            }
            None => {}
        }
    }

    /// "mean of last 100 2.4731": the mean loss of the most recent steps, which moves more smoothly
    /// than the loss of single documents.
    fn running_mean(&self) -> String {
        let mean = self.recent.iter().sum::<f64>() / self.recent.len() as f64;
        format!("mean of last {} {mean:.4}", self.recent.len())
    }

    /// Clears the bar.
    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
// ANCHOR_END: Progress

fn sample_command(args: &SampleArgs, ui: &Ui) -> Result<()> {
    let temperature = Temperature::new(args.sampling.temperature)?;
    let checkpoint = Checkpoint::load(&args.model)?;
    let (model, tokenizer) = checkpoint.model()?;
    let training = &checkpoint.training;
    let final_loss = training.final_loss.map_or("none".to_string(), loss);
    ui.line(format!(
        "model: {} parameters, trained {} steps on {}, final loss {final_loss}",
        HumanCount(model.params().len() as u64),
        training.steps,
        printable(&training.data),
    ));
    ui.check()?;
    let stream = match (args.seed, args.rng) {
        (None, None) => Stream::Saved(training.stream.clone()),
        (seed, rng) => {
            Stream::Seeded(rng.map_or(training.stream.kind(), RngKind::from), seed.unwrap_or(training.seed))
        }
    };
    let job = SampleJob { model: &model, tokenizer: &tokenizer, args, temperature, ui };
    dispatch(job, &stream, args.engine.engine)?;
    ui.check()
}

/// A loss for a message: four decimals, or the compact form of a number too large for them.
fn loss(l: f64) -> String {
    if l.abs() < 1e9 { format!("{l:.4}") } else { compact(l) }
}

/// `microgpt sample`: sample from the stream `run` saved, or from a new one.
struct SampleJob<'a> {
    model: &'a Gpt,
    tokenizer: &'a Tokenizer,
    args: &'a SampleArgs,
    temperature: Temperature,
    ui: &'a Ui,
}

impl Job for SampleJob<'_> {
    fn run<R: Resumable, E: Engine>(self, mut rng: R, mut engine: E) -> Result<()> {
        let n = self.args.sampling.samples;
        print_samples(self.model, self.tokenizer, &mut engine, self.temperature, n, &mut rng, self.ui)
    }
}

/// Prints `n` names sampled from `model` to stdout, one per line, with any control character
/// escaped (a checkpoint's vocabulary could otherwise send escape sequences to the terminal). A
/// reader that stops early (`microgpt | head -3`) is not an error: printing ends quietly.
fn print_samples<E: Engine, R: Resumable>(
    model: &Gpt,
    tokenizer: &Tokenizer,
    engine: &mut E,
    temperature: Temperature,
    n: usize,
    rng: &mut R,
    ui: &Ui,
) -> Result<()> {
    let start = Instant::now();
    let mut out = BufWriter::new(io::stdout().lock());
    for _ in 0..n {
        let name = tokenizer.decode(&sample(model, engine, temperature, rng)?);
        match writeln!(out, "{}", printable_name(&name)) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(Error::io(Path::new("stdout"), &e)),
            Ok(()) => {}
        }
    }
    match out.flush() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
        Err(e) => return Err(Error::io(Path::new("stdout"), &e)),
        Ok(()) => {}
    }
    let ms = start.elapsed().as_millis();
    ui.line(format!("sampled {n} names at temperature {} in {ms} ms", compact(temperature.get())));
    Ok(())
}

/// A sampled name with its control characters escaped, and never shortened.
fn printable_name(name: &str) -> Cow<'_, str> {
    if name.chars().any(char::is_control) {
        Cow::Owned(
            name.chars()
                .map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.into() })
                .collect(),
        )
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_loss_log_keeps_every_digit() {
        let report = StepReport { step: 1, steps: 2, loss: 0.1 + 0.2, learning_rate: 1e-5 / 3.0 };
        assert_eq!(losses_csv(&[report]), "step,loss,lr\n1,0.30000000000000004,3.3333333333333337e-6\n");
    }

    #[test]
    fn the_running_mean_covers_the_last_100_steps() {
        let ui = Ui::new(true);
        // 50 steps of loss 9, then 100 of loss 1.
        let report = |step| StepReport {
            step,
            steps: 150,
            loss: if step <= 50 { 9.0 } else { 1.0 },
            learning_rate: 0.01,
        };
        let (mut early, mut late) = (Progress::new(&ui, 150), Progress::new(&ui, 150));
        (1..=2).for_each(|s| early.step(&report(s)));
        (1..=150).for_each(|s| late.step(&report(s)));
        assert_eq!(early.running_mean(), "mean of last 2 9.0000");
        assert_eq!(late.running_mean(), "mean of last 100 1.0000");
    }
}
