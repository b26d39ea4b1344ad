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
//! it into place, so an interrupted save leaves the old file or the new one, never half of one.

use crate::error::{Error, Result};
use crate::model::{Config, Gpt};
use crate::tokenizer::Tokenizer;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::{RawValue, to_raw_value};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

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
    pub config: SavedConfig,
    /// The model's vocabulary.
    pub tokenizer: SavedTokenizer,
    /// How the weights were made.
    pub training: Training,
    /// Every weight matrix, in layout order.
    pub params: Vec<SavedMatrix>,
}

/// The fields of a [`Config`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedConfig {
    pub vocab_size: usize,
    pub n_layer: usize,
    pub n_embd: usize,
    pub n_head: usize,
    pub block_size: usize,
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

/// Which generator a random stream came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RngKind {
    /// [`crate::rng::ChaCha`], the default.
    ChaCha,
    /// [`crate::python_random::PyRandom`], CPython's Mersenne Twister.
    Python,
}
// ANCHOR_END: Checkpoint

impl std::fmt::Display for RngKind {
    /// The name used in the file and on the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RngKind::ChaCha => "chacha",
            RngKind::Python => "python",
        })
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

impl Checkpoint {
    // ANCHOR: new
    /// The checkpoint of `model`, whose vocabulary is `tokenizer`'s, made by `training`.
    pub fn new(model: &Gpt, tokenizer: &Tokenizer, training: Training) -> Self {
        let c = model.config();
        let params = model.params();
        Checkpoint {
            format: FORMAT.to_string(),
            version: VERSION,
            config: SavedConfig {
                vocab_size: c.vocab_size(),
                n_layer: c.n_layer(),
                n_embd: c.n_embd(),
                n_head: c.n_head(),
                block_size: c.block_size(),
            },
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
        let config = self.checked_config()?;
        let tokenizer = self.checked_tokenizer(&config)?;
        for (i, saved) in self.params.iter().enumerate() {
            saved.check(i)?;
        }
        let data: Vec<f64> = self.params.iter().flat_map(|m| m.data.iter().flatten().copied()).collect();
        self.check_size(data.len())?;
        let model = Gpt::from_params(config, data)?;
        self.check_layout(&model)?;
        Ok((model, tokenizer))
    }
    // ANCHOR_END: model

    fn checked_config(&self) -> Result<Config> {
        let c = self.config;
        Config::new(c.vocab_size, c.n_layer, c.n_embd, c.n_head, c.block_size).map_err(|e| match e {
            Error::InvalidConfig(why) => invalid("config", why),
            other => other,
        })
    }

    fn checked_tokenizer(&self, config: &Config) -> Result<Tokenizer> {
        let tokenizer =
            Tokenizer::from_chars(self.tokenizer.chars.chars().collect()).map_err(|e| match e {
                Error::EmptyCorpus => invalid("tokenizer.chars", "there are no characters"),
                other => other,
            })?;
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

    /// A corrupt config could ask for more memory than there is: before its layout is built, each
    /// term of `n_params` must fit in the `weights` the file actually has.
    fn check_size(&self, weights: usize) -> Result<()> {
        let SavedConfig { vocab_size: v, n_layer: l, n_embd: e, block_size: b, .. } = self.config;
        let terms = [
            v.checked_mul(e),
            b.checked_mul(e),
            e.checked_mul(e).and_then(|e2| e2.checked_mul(l)).and_then(|x| x.checked_mul(12)),
        ];
        if terms.iter().any(|t| t.is_none_or(|t| t > weights)) {
            return Err(invalid("config", format!("needs more weights than the {weights} in params")));
        }
        Ok(())
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
        let json = fs::read(path).map_err(|e| io_error(path, &e))?;
        Self::from_json(&json)
    }

    /// Writes the checkpoint to `path` atomically (see [`write_atomic`]), after checking that it
    /// would load again.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.model()?;
        write_atomic(path, self.to_json().as_bytes())
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

fn io_error(path: &Path, e: &io::Error) -> Error {
    Error::Io { path: path.display().to_string(), message: e.to_string() }
}

/// The directory `path` would be written into: its parent, or `.` for a bare file name.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Checks that the directory `path` would be written into exists, so a run can fail before it
/// trains rather than after.
pub fn check_writable(path: &Path) -> Result<()> {
    let dir = parent_dir(path);
    if path.file_name().is_none() {
        return Err(Error::Io { path: path.display().to_string(), message: "not a file name".into() });
    }
    if !dir.is_dir() {
        return Err(Error::Io {
            path: path.display().to_string(),
            message: format!("cannot write there: the directory {} does not exist", dir.display()),
        });
    }
    Ok(())
}

// ANCHOR: write_atomic
/// Writes `bytes` to `path` so that, whatever happens, `path` holds either its old content or all of
/// `bytes`: write a temporary file in the same directory, flush it to disk, rename it over `path`.
///
/// A rename within one directory is atomic on the file systems we care about, and doing it in the
/// same directory keeps it on one file system. On failure the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    check_writable(path)?;
    let dir = parent_dir(path);
    let (tmp, mut file) = create_temp(dir, path).map_err(|e| io_error(path, &e))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all()).and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(path, &e));
    }
    // Best effort, so the rename itself survives a power cut; not every platform opens directories.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
// ANCHOR_END: write_atomic

/// A new file `.NAME.PID.N.tmp` beside `path`, created only if no such file exists.
fn create_temp(dir: &Path, path: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut attempts = 0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            // Left behind by an earlier process that had the same id: try the next number.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => attempts += 1,
            Err(e) => return Err(e),
        }
    }
}
