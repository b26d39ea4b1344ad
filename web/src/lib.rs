//! # microgpt in the browser
//!
//! The book's live widgets run this crate: the `microgpt` library, compiled to WebAssembly, with a
//! thin layer of `wasm-bindgen` exports over it. Nothing here computes a loss, a gradient or a
//! model's probability of its own; every number the page shows comes from the library's functions,
//! which compute their transcendentals with `microgpt::math` and so give the same bits in the
//! browser as on the command line. The explorations add three things the library does not have,
//! a line or two each and all in Rust: an entropy ([`softmax`]), letter-pair counts ([`bigram`],
//! as chapter 11 counts them) and a gradient-descent step ([`optimizers`], as chapter 9 writes it).
//!
//! Two types cross into JavaScript for the widgets of chapters 9 and 10:
//!
//! - [`Run`] is `microgpt run` a chunk at a time: prepared from a seed, a number of steps and a
//!   learning rate, on the built-in names or on the reader's words, and trained a chunk of steps
//!   per call so that the page can draw the loss curve between calls.
//! - [`Sampler`] samples names and next-character probabilities from a model: the names `microgpt
//!   run` prints. A model trained in chapter 9 reaches chapter 10 as its corpus, its seed and its
//!   weights, from which [`Sampler::new`] rebuilds it exactly. It also gives the model's attention
//!   weights for a name ([`Sampler::attention`], chapter 6).
//!
//! And one module for each exploration of the other chapters, each a type built from the reader's
//! settings whose getters return what the widget draws: [`graph`] (chapter 2, the tape),
//! [`softmax`] (chapter 4), [`attention`] (chapter 6), [`optimizers`] (chapter 8, Adam against
//! gradient descent) and [`bigram`] (chapter 11, the letter-pair baseline).
//!
//! The inputs arrive as the text of the page's fields and are parsed here with Rust's own parsers,
//! as the command line parses its options, so that a number means the same `f64` on both. Errors
//! cross as strings: the library's own messages where the library checks the value, and one line
//! naming the field where only the parsing fails.
//!
//! The mean of the last 100 losses and the 4-decimal formatting repeat what the command line's
//! progress report does (`src/cli.rs`); the browser test compares the two outputs.
//!
//! Build with `web/build.sh`, which writes `chapters/live/`; `web/tests/parity.rs` runs the committed
//! `.wasm` and checks it against the native library, bit for bit.

pub mod attention;
pub mod bigram;
pub mod graph;
pub mod optimizers;
pub mod packed;
pub mod softmax;

use attention::AttentionMaps;
use microgpt::data::{self, BUILTIN_SOURCE};
use microgpt::engine::Engine;
use microgpt::fused::FusedEngine;
use microgpt::model::{Config, Gpt};
use microgpt::optim::{AdamConfig, LearningRate};
use microgpt::rng::ChaCha;
use microgpt::sample::{Temperature, probabilities, sample};
use microgpt::tokenizer::{Token, Tokenizer};
use microgpt::train::{Prepared, TrainOptions, Trainer, prepare};
use std::str::FromStr;
use std::sync::OnceLock;
use wasm_bindgen::prelude::wasm_bindgen;

/// How the reader's pasted words are named where the command line names a data file.
pub const PASTED_SOURCE: &str = "your words";

/// The running mean the command line prints is over this many most recent steps.
pub const MEAN_WINDOW: usize = 100;

/// The seed of the reference run: `microgpt run`'s default (src/cli.rs).
pub const REFERENCE_SEED: u64 = 42;

/// The most names one click may ask for: enough to see the model's range, few enough that the page
/// answers at once.
pub const MAX_SAMPLES: usize = 1000;

/// `text` parsed as the command line parses an option, or one line naming the `field`.
fn parse<T: FromStr>(field: &str, text: &str, expected: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| format!("invalid {field} {text:?}: {expected}"))
}

/// A number from a field that the library then checks itself, with its own message.
fn number(field: &str, text: &str) -> Result<f64, String> {
    parse(field, text, "it is not a number")
}

fn temperature(text: &str) -> Result<Temperature, String> {
    Temperature::new(number("temperature", text)?).map_err(|e| e.to_string())
}

/// `microgpt::data::BUILTIN_NAMES`, unpacked from the module's data the first time a page needs
/// it (src/packed.rs).
pub fn builtin_names() -> &'static str {
    static NAMES: OnceLock<String> = OnceLock::new();
    NAMES.get_or_init(|| packed::unpack(include_bytes!(concat!(env!("OUT_DIR"), "/names.packed"))))
}

/// What [`prepare`] makes from `seed` of the reader's `words` (one document per line) or, for `None`,
/// of the built-in names, and the random stream as it leaves it.
fn prepared(words: Option<&str>, seed: u64) -> Result<(Prepared, ChaCha), String> {
    let (text, source) = match words {
        Some(words) => (words, PASTED_SOURCE),
        None => (builtin_names(), BUILTIN_SOURCE),
    };
    let docs = data::parse_docs(text.as_bytes(), source).map_err(|e| e.to_string())?;
    let mut rng = ChaCha::seed(seed);
    let prepared = prepare(docs, &mut rng, Config::reference).map_err(|e| e.to_string())?;
    Ok((prepared, rng))
}

/// A training run in progress: `microgpt run --seed S --steps N --lr LR`, on the built-in names or on
/// the reader's words, taken a chunk of steps at a time with the fused engine, as the command line
/// trains by default.
#[wasm_bindgen]
pub struct Run {
    tokenizer: Tokenizer,
    docs: Vec<Vec<Token>>,
    model: Gpt,
    trainer: Trainer,
    engine: FusedEngine,
    options: TrainOptions,
    documents: usize,
    /// The random stream as [`prepare`] left it: where `microgpt run` begins to sample.
    sampling_rng: ChaCha,
    /// The loss of every step taken.
    losses: Vec<f64>,
}

#[wasm_bindgen]
impl Run {
    /// Prepares a run: shuffles the documents, builds the vocabulary and initialises the reference
    /// model, in microgpt.py's order, from the seed. `words` is the text of the reader's corpus, one
    /// document per line, or `None` for the built-in names.
    #[wasm_bindgen(constructor)]
    pub fn new(words: Option<String>, seed: &str, steps: &str, lr: &str) -> Result<Run, String> {
        let seed: u64 = parse("seed", seed, "it must be a whole number from 0 to 18446744073709551615")?;
        let steps: usize = parse("number of steps", steps, "it must be a whole number, 0 or more")?;
        let learning_rate = LearningRate::new(number("learning rate", lr)?).map_err(|e| e.to_string())?;
        let options = TrainOptions { steps, adam: AdamConfig::default().with_learning_rate(learning_rate) };
        let (Prepared { tokenizer, docs, model }, rng) = prepared(words.as_deref(), seed)?;
        let documents = docs.len();
        Ok(Run {
            trainer: Trainer::new(&model, options),
            tokenizer,
            docs,
            model,
            engine: FusedEngine::new(),
            options,
            documents,
            sampling_rng: rng,
            losses: Vec::new(),
        })
    }

    /// Takes up to `max_steps` more steps and returns their losses: fewer at the end of the run, none
    /// once it is done. A step whose loss is not finite stops the run with the library's message.
    pub fn train(&mut self, max_steps: usize) -> Result<Vec<f64>, String> {
        let mut chunk = Vec::new();
        while chunk.len() < max_steps {
            match self.trainer.step(&mut self.model, &mut self.engine, &self.docs) {
                Ok(Some(report)) => chunk.push(report.loss),
                Ok(None) => break,
                Err(e) => return Err(e.to_string()),
            }
        }
        self.losses.extend_from_slice(&chunk);
        Ok(chunk)
    }

    /// The number of steps the run takes in all.
    pub fn steps(&self) -> usize {
        self.options.steps
    }

    /// The number of steps taken so far.
    #[wasm_bindgen(js_name = stepsTaken)]
    pub fn steps_taken(&self) -> usize {
        self.trainer.steps_taken()
    }

    /// The number of documents in the corpus.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// The number of distinct tokens: the corpus's characters and BOS.
    #[wasm_bindgen(js_name = vocabSize)]
    pub fn vocab_size(&self) -> usize {
        self.tokenizer.vocab_size()
    }

    /// The number of weights of the model.
    #[wasm_bindgen(js_name = paramCount)]
    pub fn param_count(&self) -> usize {
        self.model.params().len()
    }

    /// For every step from `from` (counted from 0) to the last taken, the mean loss of the most recent
    /// steps up to it, at most [`MEAN_WINDOW`] of them, summed as the command line sums them: the
    /// bold line of the loss curve.
    #[wasm_bindgen(js_name = runningMeans)]
    pub fn running_means(&self, from: usize) -> Vec<f64> {
        (from..self.losses.len()).map(|step| self.mean_up_to(step + 1)).collect()
    }

    /// The loss of the last step taken, with 4 decimals as `microgpt run` prints it, or an empty
    /// string before the first step.
    #[wasm_bindgen(js_name = finalLoss)]
    pub fn final_loss(&self) -> String {
        self.losses.last().map_or_else(String::new, |loss| format!("{loss:.4}"))
    }

    /// `mean of last 100 2.3597`, as `microgpt run` prints it after training, or an empty string
    /// before the first step.
    #[wasm_bindgen(js_name = meanOfLast)]
    pub fn mean_of_last(&self) -> String {
        let n = self.losses.len();
        if n == 0 {
            return String::new();
        }
        format!("mean of last {} {:.4}", n.min(MEAN_WINDOW), self.mean_up_to(n))
    }

    /// A sampler of the model as it is now, whose random stream starts where `microgpt run` begins to
    /// sample.
    pub fn sampler(&self) -> Sampler {
        Sampler {
            model: self.model.clone(),
            tokenizer: self.tokenizer.clone(),
            engine: FusedEngine::new(),
            rng: self.sampling_rng.clone(),
        }
    }

    /// Every weight of the model as it is now, in the layout's order: with the corpus and the seed,
    /// all that [`Sampler::new`] needs to rebuild it on another page of the book.
    pub fn weights(&self) -> Vec<f64> {
        self.model.params().data().to_vec()
    }
}

impl Run {
    /// The mean of the losses of the last (at most [`MEAN_WINDOW`]) steps before `end`.
    fn mean_up_to(&self, end: usize) -> f64 {
        let recent = &self.losses[end.saturating_sub(MEAN_WINDOW)..end];
        recent.iter().sum::<f64>() / recent.len() as f64
    }
}

/// A model to write with: names at a temperature, and the probabilities of the next character.
#[wasm_bindgen]
pub struct Sampler {
    model: Gpt,
    tokenizer: Tokenizer,
    engine: FusedEngine,
    /// Where every [`Sampler::sample`] starts its random stream.
    rng: ChaCha,
}

#[wasm_bindgen]
impl Sampler {
    /// The model of a run on `words` (or the built-in names, for `None`) prepared from `seed`, with
    /// the trained `weights` of [`Run::weights`]. Preparing again replays the run's shuffle and
    /// initial weights, so the random stream is where that run began to sample, and the vocabulary
    /// and the model's shape are the run's.
    #[wasm_bindgen(constructor)]
    pub fn new(words: Option<String>, seed: &str, weights: Vec<f64>) -> Result<Sampler, String> {
        let run = Run::new(words, seed, "0", "0.01")?;
        let model = Gpt::from_params(*run.model.config(), weights).map_err(|e| e.to_string())?;
        Ok(Sampler { model, tokenizer: run.tokenizer, engine: FusedEngine::new(), rng: run.sampling_rng })
    }

    /// `count` names at `temperature`, each on a line of its own: what `microgpt run` prints on
    /// stdout with `--samples COUNT --temperature T`. Every call starts from the same point of the
    /// random stream, so the same settings give the same names.
    pub fn sample(&mut self, temperature_text: &str, count: &str) -> Result<String, String> {
        let t = temperature(temperature_text)?;
        let count: usize = parse("number of names", count, "it must be a whole number, 0 or more")?;
        if count > MAX_SAMPLES {
            return Err(format!("{count} names are more than this page writes at once ({MAX_SAMPLES})"));
        }
        let mut rng = self.rng.clone();
        let mut names = String::new();
        for _ in 0..count {
            let tokens = sample(&self.model, &mut self.engine, t, &mut rng).map_err(|e| e.to_string())?;
            names += &self.tokenizer.decode(&tokens);
            names.push('\n');
        }
        Ok(names)
    }

    /// The characters of the vocabulary in id order; BOS, the end of a name, is the one token after
    /// them.
    pub fn characters(&self) -> String {
        self.tokenizer.chars().iter().collect()
    }

    /// The probability of every token (the characters, then BOS) coming after `prefix` at
    /// `temperature`: the distribution [`Sampler::sample`] draws from when it has written `prefix`.
    #[wasm_bindgen(js_name = nextProbabilities)]
    pub fn next_probabilities(&mut self, prefix: &str, temperature_text: &str) -> Result<Vec<f64>, String> {
        let t = temperature(temperature_text)?;
        let tokens = self.readable(prefix)?;
        self.engine.begin(self.model.params());
        let mut cache = self.model.kv_cache();
        let mut logits = self.model.forward(&mut self.engine, self.tokenizer.bos(), 0, &mut cache);
        for (i, &token) in tokens.iter().enumerate() {
            logits = self.model.forward(&mut self.engine, token, i + 1, &mut cache);
        }
        Ok(probabilities(&self.engine.values(&logits), t))
    }

    /// The attention weights of every layer and head while the model reads BOS and then `name`,
    /// from [`Gpt::attention_maps`].
    pub fn attention(&self, name: &str) -> Result<AttentionMaps, String> {
        let tokens = self.readable(name)?;
        let labels = std::iter::once("BOS".to_string()).chain(name.chars().map(String::from)).collect();
        let inputs: Vec<Token> = std::iter::once(self.tokenizer.bos()).chain(tokens).collect();
        Ok(AttentionMaps::new(labels, self.model.attention_maps(&inputs)))
    }
}

impl Sampler {
    /// The tokens of `text`, if the model can read BOS and then all of them.
    fn readable(&self, text: &str) -> Result<Vec<Token>, String> {
        let tokens = self.tokenizer.encode(text).map_err(|e| e.to_string())?;
        let block_size = self.model.config().block_size();
        if tokens.len() >= block_size {
            return Err(format!(
                "{text:?} has {} characters: the model reads BOS and at most {} more",
                tokens.len(),
                block_size - 1
            ));
        }
        Ok(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(words: Option<&str>, seed: &str, steps: &str, lr: &str) -> Result<Run, String> {
        Run::new(words.map(str::to_string), seed, steps, lr)
    }

    #[test]
    fn the_packed_names_unpack_to_the_librarys() {
        assert_eq!(builtin_names(), data::BUILTIN_NAMES);
        assert_eq!(packed::unpack(&packed::pack("ab\nc")), "ab\nc"); // a last word with padding
    }

    #[test]
    fn a_run_reports_the_numbers_the_command_line_prints() {
        let mut run = run(None, "42", "1000", "0.01").unwrap();
        let losses: Vec<f64> = [300, 300, 300, 300].iter().flat_map(|&n| run.train(n).unwrap()).collect();
        assert_eq!((losses.len(), run.steps_taken(), run.documents()), (1000, 1000, 32_000));
        assert_eq!(run.final_loss(), "1.7780");
        assert_eq!(run.mean_of_last(), "mean of last 100 2.3597");
        let names = run.sampler().sample("0.5", "3").unwrap();
        assert_eq!(names, "shalin\ncoredi\nbran\n");
    }

    #[test]
    fn the_running_mean_covers_the_steps_so_far_then_the_last_100() {
        let mut run = run(Some("ab\nba\n"), "1", "150", "0.01").unwrap();
        let losses = run.train(150).unwrap();
        let means = run.running_means(0);
        assert_eq!(means.len(), 150);
        assert_eq!(means[0], losses[0]);
        assert_eq!(means[149], losses[50..].iter().sum::<f64>() / 100.0);
        assert_eq!(run.running_means(149), &means[149..]);
    }

    #[test]
    fn a_sampler_rebuilt_from_the_weights_writes_the_runs_names() {
        let words = "ann\nbob\ncleo\ndan\n";
        let mut run = run(Some(words), "7", "200", "0.02").unwrap();
        run.train(200).unwrap();
        let mut rebuilt = Sampler::new(Some(words.to_string()), "7", run.weights()).unwrap();
        let names = rebuilt.sample("0.8", "20").unwrap();
        assert_eq!(names, run.sampler().sample("0.8", "20").unwrap());
        assert_eq!(names.lines().count(), 20);
    }

    #[test]
    fn the_next_character_probabilities_are_the_distribution_sampling_draws_from() {
        let mut sampler = run(None, "42", "0", "0.01").unwrap().sampler();
        let p = sampler.next_probabilities("em", "1").unwrap();
        assert_eq!(p.len(), 27);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(sampler.characters(), "abcdefghijklmnopqrstuvwxyz");
    }

    #[test]
    fn bad_input_is_reported_with_the_librarys_own_messages() {
        let error = |r: Result<Run, String>| r.err().unwrap();
        assert_eq!(
            error(run(Some(" \n\n"), "1", "10", "0.01")),
            "the corpus has no documents with any characters"
        );
        assert_eq!(
            error(run(None, "1", "10", "0")),
            "invalid learning rate 0: it must be a finite number greater than 0"
        );
        assert_eq!(
            error(run(None, "-1", "10", "0.01")),
            "invalid seed \"-1\": it must be a whole number from 0 to 18446744073709551615"
        );
        assert_eq!(
            error(run(None, "1", "ten", "0.01")),
            "invalid number of steps \"ten\": it must be a whole number, 0 or more"
        );
        assert_eq!(error(run(None, "1", "10", "fast")), "invalid learning rate \"fast\": it is not a number");

        let mut diverging = run(None, "42", "1000", "10").unwrap();
        assert_eq!(
            diverging.train(100).unwrap_err(),
            "training diverged: the loss at step 2 is inf; try a lower learning rate than 10"
        );

        let mut sampler = run(None, "42", "0", "0.01").unwrap().sampler();
        assert_eq!(
            sampler.sample("0", "5").unwrap_err(),
            "invalid temperature 0: it must be a finite number greater than 0"
        );
        assert_eq!(
            sampler.next_probabilities("Emma", "1").unwrap_err(),
            "unknown character 'E' (U+0045) at position 0: it is not in the training vocabulary"
        );
        assert_eq!(
            sampler.next_probabilities("abcdefghijklmnop", "1").unwrap_err(),
            "\"abcdefghijklmnop\" has 16 characters: the model reads BOS and at most 15 more"
        );
        assert_eq!(
            sampler.sample("1", "1001").unwrap_err(),
            "1001 names are more than this page writes at once (1000)"
        );
        assert_eq!(
            Sampler::new(None, "42", vec![0.5; 3]).err().unwrap(),
            "the configuration needs 4192 parameters, found 3"
        );
    }
}
