//! # Errors: what can go wrong with what a user supplies
//!
//! Arithmetic on well-formed inputs cannot fail; a shape mismatch inside the model is a bug and
//! panics with the shapes. Everything that comes from outside (documents, configurations,
//! temperatures, learning rates, files, checkpoints) can be wrong, and each way it can be wrong is a
//! variant here, with a message that names the problem and where it is.
//!
//! Each variant belongs to the layer that finds the problem: the tokenizer reports a vocabulary that
//! is not sorted, the model a parameter count that does not fit its configuration. A checkpoint is
//! only one of the places such values come from, so the checkpoint module translates these errors
//! into the names of its own fields ([`Error::Checkpoint`]), in one place.

use std::fmt;
use std::path::Path;

/// Everything that can be wrong with user input, in one line each.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// A character the tokenizer has no id for, at a character position of the encoded text.
    UnknownChar { ch: char, position: usize },
    /// No documents, or documents without a single character.
    EmptyCorpus,
    /// A vocabulary whose characters are not sorted and distinct: `before` comes before `after`.
    UnsortedVocabulary { before: char, after: char },
    /// A model configuration that cannot be built.
    InvalidConfig(String),
    /// Weights for a model of another size: the configuration needs `expected`, there are `found`.
    ParamCount { expected: usize, found: usize },
    /// A sampling temperature that is not a finite number above zero.
    InvalidTemperature(f64),
    /// A learning rate that is not a finite number above zero.
    InvalidLearningRate(f64),
    /// An Adam setting (β₁, β₂ or ε) outside its range.
    InvalidAdam(String),
    /// A training step whose loss was NaN or infinite.
    NonFiniteLoss { step: usize, loss: f64, learning_rate: f64 },
    /// A file that could not be read or written.
    Io { path: String, message: String },
    /// A data file that is not valid UTF-8, with the byte offset of the first bad byte.
    NotUtf8 { path: String, offset: usize },
    /// A checkpoint that is corrupt or does not fit: the field at fault and what is wrong with it.
    Checkpoint { field: String, message: String },
}

impl Error {
    /// An [`Error::Io`] for `path`, with the operating system's reason.
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        Error::Io { path: path.display().to_string(), message: e.to_string() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownChar { ch, position } => write!(
                f,
                "unknown character {ch:?} (U+{:04X}) at position {position}: it is not in the \
                 training vocabulary",
                u32::from(*ch)
            ),
            Error::EmptyCorpus => write!(f, "the corpus has no documents with any characters"),
            Error::UnsortedVocabulary { before, after } => {
                write!(f, "characters must be sorted and distinct, found {before:?} before {after:?}")
            }
            Error::InvalidConfig(why) => write!(f, "invalid model configuration: {why}"),
            Error::ParamCount { expected, found } => {
                write!(f, "the configuration needs {expected} parameters, found {found}")
            }
            Error::InvalidTemperature(t) => {
                write!(f, "invalid temperature {t}: it must be a finite number greater than 0")
            }
            Error::InvalidLearningRate(lr) => {
                write!(f, "invalid learning rate {lr}: it must be a finite number greater than 0")
            }
            Error::InvalidAdam(why) => write!(f, "invalid Adam setting: {why}"),
            Error::NonFiniteLoss { step, loss, learning_rate } => write!(
                f,
                "training diverged: the loss at step {step} is {loss}; try a lower learning rate \
                 than {learning_rate}"
            ),
            Error::Io { path, message } => write!(f, "{path}: {message}"),
            Error::NotUtf8 { path, offset } => {
                write!(f, "{path}: not valid UTF-8 (first bad byte at offset {offset})")
            }
            Error::Checkpoint { field, message } => {
                write!(f, "invalid checkpoint: field `{field}`: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
