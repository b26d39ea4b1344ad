//! # Checkpoints: a trained model in a JSON file
//!
//! Training takes time; sampling should not have to repeat it. A checkpoint holds everything needed
//! to rebuild the model exactly, plus a record of how it was made. It is plain JSON, so any language
//! can read it, and small (about 90 kB for the reference model):
//!
//! ```text
//! {
//!   "format": "microgpt-checkpoint",
//!   "version": 1,
//!   "config": { "vocab_size": 27, "n_layer": 1, "n_embd": 16, "n_head": 4, "block_size": 16 },
//!   "tokenizer": { "chars": "abcdefghijklmnopqrstuvwxyz" },
//!   "training": { "steps": 1000, "learning_rate": 0.01, "beta1": 0.85, "beta2": 0.99, "eps": 1e-8,
//!                 "seed": 42, "rng": "chacha", "data": "built-in names", "documents": 32000,
//!                 "final_loss": 2.1 },
//!   "params": [
//!     { "name": "wte", "rows": 27, "cols": 16, "data": [[0.0113, -0.0487, …], …] },
//!     { "name": "wpe", … }, { "name": "lm_head", … },
//!     { "name": "layer0.attn_wq", … }, … { "name": "layer0.mlp_fc2", … }
//!   ]
//! }
//! ```
//!
//! - `format` and `version` say what the file is; this crate reads version 1 only.
//! - `config` is the model's shape ([`Config`]), `tokenizer.chars` its vocabulary in id order: the
//!   character with id `i` is the `i`-th, and BOS is one past the last, so
//!   `vocab_size = chars + 1`.
//! - `params` lists every weight matrix in the model's layout order, each row as a JSON array.
//! - `training` records the run that produced the weights. `rng`, `seed` and `documents` also
//!   let `microgpt sample` continue the random stream exactly where `microgpt run` began to sample.
//!   `final_loss` is `null` for an untrained model.
//!
//! Every `f64` is written in its shortest form that reads back as the same number (serde_json's
//! `float_roundtrip` makes the reading exact), so a loaded model samples exactly what the saved one
//! did. Loading checks every field against the configuration and reports the first problem, naming
//! the field (`params[3].data[2][7]`). Saving writes a temporary file next to the target and renames
//! it into place ([`files::write_atomic`]), so an interrupted save leaves the old file or the new
//! one, never half of one.
//!
//! The file's `config` is the model's [`Config`] itself, read through [`Config::new`]'s checks, and
//! `training` is made from the run's [`TrainOptions`] by [`Training::new`]: no field is copied by hand.

use crate::error::{Error, Result};
use crate::files;
use crate::model::{Config, Gpt};
use crate::rng::RngKind;
use crate::tokenizer::Tokenizer;
use crate::train::TrainOptions;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::{RawValue, to_raw_value};
use std::path::Path;

/// The value of the `format` field.
pub const FORMAT: &str = "microgpt-checkpoint";
/// The version of the format this crate writes and reads.
pub const VERSION: u32 = 1;

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
    pub chars: String,
}

/// One named weight matrix, row by row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedMatrix {
    pub name: String,
    pub rows: usize,
    pub cols: usize,
    #[serde(serialize_with = "one_row_per_line")]
    pub data: Vec<Vec<f64>>,
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
    /// The generator of the random stream.
    pub rng: RngKind,
    /// Where the documents came from: a path, or `built-in names`.
    pub data: String,
    /// How many documents were shuffled.
    pub documents: usize,
    /// The loss of the last step, or `None` after zero steps.
    pub final_loss: Option<f64>,
}
// ANCHOR_END: Checkpoint

impl Training {
    /// The record of a run that trained with `options` on `documents` documents from `data` (a path,
    /// or [`BUILTIN_SOURCE`](crate::data::BUILTIN_SOURCE)), drawing from an `rng` generator seeded
    /// with `seed`, and whose last step's loss was `final_loss` (`None` after zero steps).
    pub fn new(
        options: &TrainOptions,
        seed: u64,
        rng: RngKind,
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
            rng,
            data,
            documents,
            final_loss,
        }
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
    /// Checks that `data` holds `rows` rows of `cols` finite numbers; `i` is the matrix's index.
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
            if let Some(col) = row.iter().position(|x| !x.is_finite()) {
                return Err(invalid(format!("params[{i}].data[{r}][{col}]"), "not a finite number"));
            }
        }
        Ok(())
    }
}

/// Writes each row as compact JSON, so a pretty-printed file has one matrix row per line instead of
/// one number per line.
fn one_row_per_line<S: serde::Serializer>(rows: &[Vec<f64>], s: S) -> std::result::Result<S::Ok, S::Error> {
    let rows: Vec<Box<RawValue>> = rows
        .iter()
        .map(to_raw_value)
        .collect::<serde_json::Result<_>>()
        .map_err(serde::ser::Error::custom)?;
    rows.serialize(s)
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
                    data: (0..m.rows()).map(|r| params.row(*m, r).to_vec()).collect(),
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
        let data: Vec<f64> = self.params.iter().flat_map(|m| m.data.iter().flatten().copied()).collect();
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
                let message = format!("expected {name:?}, found {:?}", saved.name);
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

    /// Parses a checkpoint and checks its `format` and `version`; [`Checkpoint::model`] checks the
    /// rest.
    ///
    /// JSON that does not fit the format is an [`Error::Checkpoint`] naming the field where reading
    /// stopped: `params[3].data[2][7]` for a weight that is not a number, `params` for a file cut off
    /// in the middle of the weights.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        let header: Header = parse(json)?;
        match header.format.as_deref() {
            Some(FORMAT) => {}
            Some(other) => return Err(invalid("format", format!("expected {FORMAT:?}, found {other:?}"))),
            None => return Err(invalid("format", "missing: this is not a microgpt checkpoint")),
        }
        match header.version {
            Some(VERSION) => {}
            Some(other) => {
                return Err(invalid(
                    "version",
                    format!("this microgpt reads version {VERSION}, found {other}"),
                ));
            }
            None => return Err(invalid("version", "missing")),
        }
        parse(json)
    }

    /// Reads the checkpoint at `path` (see [`Checkpoint::from_json`]).
    pub fn load(path: &Path) -> Result<Self> {
        Self::from_json(&files::read(path)?)
    }

    /// Writes the checkpoint to `path` atomically (see [`files::write_atomic`]), after checking that
    /// it would load again.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.model()?;
        files::write_atomic(path, self.to_json().as_bytes())
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
