//! # Checkpoints: a trained model in a JSON file
//!
//! Training takes time; sampling should not have to repeat it. A checkpoint holds everything needed
//! to rebuild the model exactly, plus a record of how it was made. It is plain JSON, so any language
//! can read it, and small (about 90 kB for the reference model):
//!
//! ```text
//! {
//!   "format": "microgpt-checkpoint",
//!   "version": 2,
//!   "config": { "vocab_size": 27, "n_layer": 1, "n_embd": 16, "n_head": 4, "block_size": 16 },
//!   "tokenizer": { "chars": "abcdefghijklmnopqrstuvwxyz" },
//!   "training": { "steps": 1000, "learning_rate": 0.01, "beta1": 0.85, "beta2": 0.99, "eps": 1e-8,
//!                 "seed": 42, "data": "built-in names", "documents": 32000, "final_loss": 2.1,
//!                 "stream": { "chacha": { "seed": 42, "word_pos": 8448, "spare": null } } },
//!   "params": [
//!     { "name": "wte", "rows": 27, "cols": 16, "data": [[0.0113, -0.0487, …], …] },
//!     { "name": "wpe", … }, { "name": "lm_head", … },
//!     { "name": "layer0.attn_wq", … }, … { "name": "layer0.mlp_fc2", … }
//!   ]
//! }
//! ```
//!
//! - `format` and `version` say what the file is; this crate reads version 2 only.
//! - `config` is the model's shape ([`Config`]), `tokenizer.chars` its vocabulary in id order: the
//!   character with id `i` is the `i`-th, and BOS is one past the last, so
//!   `vocab_size = chars + 1`.
//! - `params` lists every weight matrix in the model's layout order, each row as a JSON array.
//! - `training` records the run that produced the weights. `stream` is the state of its random
//!   generator ([`RngState`]) when `microgpt run` began to sample, so that `microgpt sample`
//!   continues the stream exactly there: `{"chacha": {"seed", "word_pos", "spare"}}`, or
//!   `{"python": {"state": [624 words], "index", "spare"}}` for CPython's generator.
//!   `final_loss` is `null` for an untrained model.
//!
//! **Version 2** replaced version 1's `rng` field by `stream`. Version 1 recorded only the seed and
//! the number of documents, and `sample` replayed the shuffle of that many documents to find its
//! place in the stream: a file claiming 2⁶⁴ - 1 documents made it run for centuries. A version 1
//! file is refused with a message that says so; `microgpt run --save` writes a new one.
//!
//! Every `f64` is written in its shortest form that reads back as the same number (serde_json's
//! `float_roundtrip` makes the reading exact), so a loaded model samples exactly what the saved one
//! did. Loading checks every field and reports the first problem, naming the field
//! (`params[3].data[2][7]`): the config is within the [model's limits](crate::model::MAX_PARAMS),
//! every weight is finite and within [`WEIGHT_LIMIT`](crate::model::WEIGHT_LIMIT) (so sampling
//! cannot overflow), the Adam settings are valid, the stream is a state its generator can be in.
//! Nothing in a file can make loading or sampling cost more than its size justifies: a file may
//! hold at most [`MAX_CHECKPOINT_BYTES`], it is read into memory at most about four times its size
//! (numbers are stored as they are read, not one vector per row), and `sample` starts from the
//! saved stream at once. Saving writes a temporary file next to the target and renames it into
//! place ([`files::write_atomic`]), after reading the bytes back with the loader: an interrupted
//! save leaves the old file or the new one, and a saved file always loads.
//!
//! The file's `config` is the model's [`Config`] itself, read through [`Config::new`]'s checks, and
//! `training` is made from the run's [`TrainOptions`] by [`Training::new`]: no field is copied by hand.

use crate::error::{Error, Result, approximate, compact, printable};
use crate::files;
use crate::model::{Config, Gpt, weight_in_range};
use crate::optim::{AdamConfig, LearningRate};
use crate::rng::RngState;
use crate::tokenizer::Tokenizer;
use crate::train::TrainOptions;
use serde::de::{DeserializeOwned, DeserializeSeed, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::{RawValue, to_raw_value};
use std::fmt;
use std::ops::{Index, IndexMut};
use std::path::Path;

/// The value of the `format` field.
pub const FORMAT: &str = "microgpt-checkpoint";
/// The version of the format this crate writes and reads.
pub const VERSION: u32 = 2;
/// The largest checkpoint file this crate reads (and writes): 512 MiB. A model at
/// [`MAX_PARAMS`](crate::model::MAX_PARAMS) takes about 420 MB.
pub const MAX_CHECKPOINT_BYTES: u64 = 1 << 29;

// ANCHOR: Checkpoint
/// A checkpoint file, field for field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The model's shape.
    pub config: Config,
    /// The model's vocabulary.
    pub tokenizer: SavedTokenizer,
    /// How the weights were made.
    pub training: Training,
    /// Every weight matrix, in layout order.
    pub params: Vec<SavedMatrix>,
}

/// The characters of a [`Tokenizer`], in id order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedTokenizer {
    /// The vocabulary's characters, sorted, without BOS.
    pub chars: String,
}

/// One named weight matrix, row by row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedMatrix {
    /// The matrix's name in the layout: `wte`, `layer0.attn_wq`.
    pub name: String,
    /// Its number of rows.
    pub rows: usize,
    /// Its number of columns.
    pub cols: usize,
    /// Its weights, one array per row.
    pub data: Rows,
}

/// The run that produced a checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// The number of training steps taken.
    pub steps: usize,
    /// Adam's learning rate at step 0, before the linear decay.
    pub learning_rate: f64,
    /// Adam's decay rate of the gradient average.
    pub beta1: f64,
    /// Adam's decay rate of the squared-gradient average.
    pub beta2: f64,
    /// Adam's ε, which keeps the step finite where the gradients were all zero.
    pub eps: f64,
    /// The seed of the random stream.
    pub seed: u64,
    /// Where the documents came from: a path, or `built-in names`.
    pub data: String,
    /// How many documents were shuffled.
    pub documents: usize,
    /// The loss of the last step, or `None` after zero steps.
    pub final_loss: Option<f64>,
    /// The random stream where the run began to sample (its generator and state), so that sampling
    /// from the checkpoint continues it.
    pub stream: RngState,
}
// ANCHOR_END: Checkpoint

impl Training {
    /// The record of a run that trained with `options` on `documents` documents from `data` (a path,
    /// or [`BUILTIN_SOURCE`](crate::data::BUILTIN_SOURCE)), drawing from a generator seeded with
    /// `seed` that stood at `stream` when the run began to sample, and whose last step's loss was
    /// `final_loss` (`None` after zero steps).
    pub fn new(
        options: &TrainOptions,
        seed: u64,
        stream: RngState,
        data: String,
        documents: usize,
        final_loss: Option<f64>,
    ) -> Self {
        let adam = &options.adam;
        Training {
            steps: options.steps,
            learning_rate: adam.learning_rate().get(),
            beta1: adam.beta1(),
            beta2: adam.beta2(),
            eps: adam.eps(),
            seed,
            data,
            documents,
            final_loss,
            stream,
        }
    }

    /// Checks the Adam settings (as [`AdamConfig::new`] does) and the stream ([`RngState::check`]).
    fn check(&self) -> Result<()> {
        let learning_rate = LearningRate::new(self.learning_rate).map_err(at_field)?;
        AdamConfig::new(learning_rate, self.beta1, self.beta2, self.eps).map_err(at_field)?;
        self.stream.check().map_err(at_field)
    }
}

/// The first two fields, read before the rest so that a file of another kind or version is named as
/// such instead of failing somewhere in its middle.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

impl SavedMatrix {
    /// Checks that `data` holds `rows` rows of `cols` weights a model may have (finite, and within
    /// [`WEIGHT_LIMIT`](crate::model::WEIGHT_LIMIT)); `i` is the matrix's index.
    fn check(&self, i: usize) -> Result<()> {
        if self.data.len() != self.rows {
            let message = format!("rows is {}, found {} rows", self.rows, self.data.len());
            return Err(invalid(format!("params[{i}].data"), message));
        }
        for (r, row) in self.data.iter().enumerate() {
            if row.len() != self.cols {
                let message = format!("cols is {}, found {} numbers", self.cols, row.len());
                return Err(invalid(format!("params[{i}].data[{r}]"), message));
            }
            if let Some(col) = row.iter().position(|&x| !weight_in_range(x)) {
                let message = format!(
                    "{}: a weight must be a finite number of magnitude at most {}",
                    compact(row[col]),
                    compact(crate::model::WEIGHT_LIMIT)
                );
                return Err(invalid(format!("params[{i}].data[{r}][{col}]"), message));
            }
        }
        Ok(())
    }
}

// ANCHOR: Rows
/// The rows of a saved matrix: all the numbers in one vector, and where each row ends.
///
/// In the file each row is an array of its own. Reading every row into a `Vec` of its own would
/// cost 24 bytes for each `[]` of 3 bytes: a file of millions of empty rows would take about nine
/// times its size in memory. Stored flat, a file takes at most about four times its size (8 bytes
/// per number of at least 2 characters, `0,`; 4 bytes per row of at least 3), which its content
/// justifies.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    values: Vec<f64>,
    /// `ends[r]` is one past the last value of row `r`. A checkpoint of at most
    /// [`MAX_CHECKPOINT_BYTES`] has fewer than 2³² numbers.
    ends: Vec<u32>,
}
// ANCHOR_END: Rows

impl Rows {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Where row `r` lives in [`Rows::values`].
    fn range(&self, r: usize) -> std::ops::Range<usize> {
        let start = if r == 0 { 0 } else { self.ends[r - 1] as usize };
        start..self.ends[r] as usize
    }

    /// The rows in order.
    pub fn iter(&self) -> impl Iterator<Item = &[f64]> {
        (0..self.len()).map(|r| &self.values[self.range(r)])
    }

    /// All the numbers, row after row.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Appends a row.
    ///
    /// Panics if the rows would hold 2³² numbers or more, far beyond what a checkpoint may.
    pub fn push(&mut self, row: &[f64]) {
        self.values.extend_from_slice(row);
        self.ends.push(u32::try_from(self.values.len()).expect("fewer than 2³² numbers"));
    }
}

impl Index<usize> for Rows {
    type Output = [f64];

    /// Row `r`.
    fn index(&self, r: usize) -> &[f64] {
        &self.values[self.range(r)]
    }
}

impl IndexMut<usize> for Rows {
    fn index_mut(&mut self, r: usize) -> &mut [f64] {
        let range = self.range(r);
        &mut self.values[range]
    }
}

impl From<Vec<Vec<f64>>> for Rows {
    fn from(rows: Vec<Vec<f64>>) -> Self {
        let mut out = Rows::default();
        rows.iter().for_each(|row| out.push(row));
        out
    }
}

impl Serialize for Rows {
    /// Each row as compact JSON, so a pretty-printed file has one matrix row per line instead of
    /// one number per line.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let rows: Vec<Box<RawValue>> = self
            .iter()
            .map(to_raw_value)
            .collect::<serde_json::Result<_>>()
            .map_err(serde::ser::Error::custom)?;
        rows.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Rows {
    /// Reads an array of arrays of numbers straight into one vector.
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_seq(RowsVisitor)
    }
}

/// Reads the rows of a matrix into [`Rows`].
struct RowsVisitor;

impl<'de> Visitor<'de> for RowsVisitor {
    type Value = Rows;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Rows, A::Error> {
        let mut rows = Rows::default();
        while seq.next_element_seed(Row(&mut rows.values))?.is_some() {
            let end = u32::try_from(rows.values.len())
                .map_err(|_| serde::de::Error::custom("more numbers than a checkpoint may hold"))?;
            rows.ends.push(end);
        }
        Ok(rows)
    }
}

/// Reads one row's numbers onto the end of a vector.
struct Row<'a>(&'a mut Vec<f64>);

impl<'de> DeserializeSeed<'de> for Row<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Row<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of numbers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(x) = seq.next_element::<f64>()? {
            self.0.push(x);
        }
        Ok(())
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Checkpoint { field: field.into(), message: message.into() }
}

/// An error of the core, about a value this file supplied, as an error about the field it came
/// from: the one place where the layers' errors become the file's.
fn at_field(e: Error) -> Error {
    match e {
        Error::InvalidConfig(why) => invalid("config", why),
        Error::EmptyCorpus => invalid("tokenizer.chars", "there are no characters"),
        e @ Error::UnsortedVocabulary { .. } => invalid("tokenizer.chars", e.to_string()),
        e @ Error::ParamCount { .. } => invalid("params", e.to_string()),
        e @ Error::InvalidWeight { .. } => invalid("params", e.to_string()),
        e @ Error::InvalidLearningRate(_) => invalid("training.learning_rate", e.to_string()),
        Error::InvalidAdam(why) => invalid("training", why),
        Error::InvalidRngState(why) => invalid("training.stream", why),
        other => other,
    }
}

impl Checkpoint {
    // ANCHOR: new
    /// The checkpoint of `model`, whose vocabulary is `tokenizer`'s, made by `training`.
    pub fn new(model: &Gpt, tokenizer: &Tokenizer, training: Training) -> Self {
        let params = model.params();
        Checkpoint {
            format: FORMAT.to_string(),
            version: VERSION,
            config: *model.config(),
            tokenizer: SavedTokenizer { chars: tokenizer.chars().iter().collect() },
            training,
            params: params
                .layout()
                .matrices()
                .iter()
                .map(|(name, m)| SavedMatrix {
                    name: name.clone(),
                    rows: m.rows(),
                    cols: m.cols(),
                    data: (0..m.rows()).fold(Rows::default(), |mut rows, r| {
                        rows.push(params.row(*m, r));
                        rows
                    }),
                })
                .collect(),
        }
    }
    // ANCHOR_END: new

    // ANCHOR: model
    /// The model and tokenizer this checkpoint describes, after checking every field: the config is
    /// valid, the vocabulary has `vocab_size - 1` sorted distinct characters, every matrix holds
    /// `rows × cols` finite numbers, and the matrices have the layout's names and shapes in its order.
    pub fn model(&self) -> Result<(Gpt, Tokenizer)> {
        let tokenizer = self.checked_tokenizer()?;
        for (i, saved) in self.params.iter().enumerate() {
            saved.check(i)?;
        }
        let data: Vec<f64> = self.params.iter().flat_map(|m| m.data.values()).copied().collect();
        let model = Gpt::from_params(self.config, data).map_err(at_field)?;
        self.check_layout(&model)?;
        Ok((model, tokenizer))
    }
    // ANCHOR_END: model

    fn checked_tokenizer(&self) -> Result<Tokenizer> {
        let config = &self.config;
        let tokenizer = Tokenizer::from_chars(self.tokenizer.chars.chars().collect()).map_err(at_field)?;
        if tokenizer.vocab_size() != config.vocab_size() {
            let message = format!(
                "{} characters and BOS make {} tokens, but config.vocab_size is {}",
                tokenizer.chars().len(),
                tokenizer.vocab_size(),
                config.vocab_size()
            );
            return Err(invalid("tokenizer.chars", message));
        }
        Ok(tokenizer)
    }

    /// The saved matrices have `model`'s names and shapes, in its order.
    fn check_layout(&self, model: &Gpt) -> Result<()> {
        let layout = model.params().layout().matrices();
        if self.params.len() != layout.len() {
            let message =
                format!("this configuration has {} matrices, found {}", layout.len(), self.params.len());
            return Err(invalid("params", message));
        }
        for (i, (saved, (name, m))) in self.params.iter().zip(layout).enumerate() {
            if saved.name != *name {
                let message = format!("expected {name:?}, found {:?}", printable(&saved.name));
                return Err(invalid(format!("params[{i}].name"), message));
            }
            if (saved.rows, saved.cols) != (m.rows(), m.cols()) {
                let (rows, cols) = (m.rows(), m.cols());
                let message = format!(
                    "{name} is {rows}x{cols} in this configuration, found {}x{}",
                    saved.rows, saved.cols
                );
                return Err(invalid(format!("params[{i}]"), message));
            }
        }
        Ok(())
    }

    /// The checkpoint as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a checkpoint has only string keys")
    }

    /// Parses a checkpoint and checks its `format`, its `version` and its `training` record;
    /// [`Checkpoint::model`] checks the rest.
    ///
    /// JSON that does not fit the format is an [`Error::Checkpoint`] naming the field where reading
    /// stopped: `params[3].data[2][7]` for a weight that is not a number, `params` for a file cut off
    /// in the middle of the weights.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        let header: Header = parse(json)?;
        match header.format.as_deref() {
            Some(FORMAT) => {}
            Some(other) => {
                let message = format!("expected {FORMAT:?}, found {:?}", printable(other));
                return Err(invalid("format", message));
            }
            None => return Err(invalid("format", "missing: this is not a microgpt checkpoint")),
        }
        match header.version {
            Some(VERSION) => {}
            Some(1) => {
                let message = format!(
                    "this microgpt reads version {VERSION}, found 1, which records no random stream to \
                     continue: save the model again with `microgpt run --save`"
                );
                return Err(invalid("version", message));
            }
            Some(other) => {
                let message = format!("this microgpt reads version {VERSION}, found {other}");
                return Err(invalid("version", message));
            }
            None => return Err(invalid("version", "missing")),
        }
        let checkpoint: Checkpoint = parse(json)?;
        checkpoint.training.check()?;
        Ok(checkpoint)
    }

    /// Reads the checkpoint at `path` (see [`Checkpoint::from_json`]), a regular file of at most
    /// [`MAX_CHECKPOINT_BYTES`].
    pub fn load(path: &Path) -> Result<Self> {
        Self::from_json(&files::read(path, MAX_CHECKPOINT_BYTES, "a checkpoint")?)
    }

    /// Writes the checkpoint to `path` atomically (see [`files::write_atomic`]), after checking that
    /// the bytes it writes load again, with [`Checkpoint::from_json`] and [`Checkpoint::model`].
    ///
    /// # Examples
    ///
    /// An untrained model saved and loaded again, the same to the last bit:
    ///
    /// ```
    /// use microgpt::checkpoint::{Checkpoint, Training};
    /// use microgpt::model::{Config, Gpt};
    /// use microgpt::rng::{ChaCha, Resumable};
    /// use microgpt::tokenizer::Tokenizer;
    /// use microgpt::train::TrainOptions;
    ///
    /// let tokenizer = Tokenizer::from_docs(&["ann", "bob"])?;
    /// let mut rng = ChaCha::seed(7);
    /// let model = Gpt::init(Config::reference(tokenizer.vocab_size())?, &mut rng);
    /// let options = TrainOptions { steps: 0, ..TrainOptions::default() };
    /// let training = Training::new(&options, 7, rng.state(), "two names".into(), 2, None);
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("model.json");
    /// Checkpoint::new(&model, &tokenizer, training).save(&path)?;
    /// let (loaded, loaded_tokenizer) = Checkpoint::load(&path)?.model()?;
    /// assert_eq!((loaded, loaded_tokenizer), (model, tokenizer));
    /// # Ok::<(), microgpt::Error>(())
    /// ```
    pub fn save(&self, path: &Path) -> Result<()> {
        // In memory first, for the clearer message (a NaN would be written as `null`).
        self.model()?;
        let json = self.to_json();
        if json.len() as u64 > MAX_CHECKPOINT_BYTES {
            let message =
                format!("{} bytes, more than a checkpoint may have", approximate(json.len() as f64));
            return Err(Error::Io { path: path.display().to_string(), message });
        }
        Checkpoint::from_json(json.as_bytes())?.model()?;
        files::write_atomic(path, json.as_bytes())
    }
}

/// Deserialises `json`, naming the field where it stops making sense.
fn parse<T: DeserializeOwned>(json: &[u8]) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = match e.path().to_string() {
            root if root == "." => "(top level)".to_string(),
            path => path,
        };
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Eof => {
                invalid(field, format!("the file ends early, truncated? ({inner})"))
            }
            _ => invalid(field, inner.to_string()),
        }
    })?;
    de.end().map_err(|e| invalid("(top level)", e.to_string()))?;
    Ok(value)
}
