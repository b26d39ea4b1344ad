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

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// Everything that can be wrong with user input, in one line each.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// A character the tokenizer has no id for, at a character position of the encoded text.
    UnknownChar {
        /// The character.
        ch: char,
        /// Its position in the text, counted in characters from 0.
        position: usize,
    },
    /// No documents, or documents without a single character.
    EmptyCorpus,
    /// A vocabulary whose characters are not sorted and distinct: `before` comes before `after`.
    UnsortedVocabulary {
        /// The character listed first.
        before: char,
        /// The character listed after it, which is not greater.
        after: char,
    },
    /// A model configuration that cannot be built.
    InvalidConfig(String),
    /// Weights for a model of another size: the configuration needs `expected`, there are `found`.
    ParamCount {
        /// The number of weights the configuration needs.
        expected: usize,
        /// The number given.
        found: usize,
    },
    /// A sampling temperature that is not a finite number above zero.
    InvalidTemperature(f64),
    /// A learning rate that is not a finite number above zero.
    InvalidLearningRate(f64),
    /// An Adam setting (β₁, β₂ or ε) outside its range.
    InvalidAdam(String),
    /// A weight (named `wte[3][5]`) that is NaN, infinite, or beyond
    /// [`WEIGHT_LIMIT`](crate::model::WEIGHT_LIMIT).
    InvalidWeight {
        /// The weight's name and place, `wte[3][5]`.
        weight: String,
        /// Its value.
        value: f64,
    },
    /// A training step whose loss was NaN or infinite.
    NonFiniteLoss {
        /// The step, counted from 1.
        step: usize,
        /// The loss it computed.
        loss: f64,
        /// The run's learning rate, which the message suggests lowering.
        learning_rate: f64,
    },
    /// A training step after which a weight (named `wte[3][5]`) was NaN, infinite, or beyond
    /// [`WEIGHT_LIMIT`](crate::model::WEIGHT_LIMIT).
    WeightOutOfRange {
        /// The step, counted from 1.
        step: usize,
        /// The weight's name and place, `wte[3][5]`.
        weight: String,
        /// Its value after the step's update.
        value: f64,
        /// The run's learning rate, which the message suggests lowering.
        learning_rate: f64,
    },
    /// A document that cannot be trained on: its index in the training order and what is wrong.
    InvalidDocument {
        /// The document's index in the training order.
        index: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Logits that are not all finite, at a position of a sampled document: the model's weights
    /// are too large for its arithmetic.
    NonFiniteLogits {
        /// The position in the document, counted from 0.
        position: usize,
    },
    /// A saved random-generator state that no generator could be in.
    InvalidRngState(String),
    /// A file that could not be read or written.
    Io {
        /// The file, as the user named it.
        path: String,
        /// The operating system's reason.
        message: String,
    },
    /// A data file that is not valid UTF-8, with the byte offset of the first bad byte.
    NotUtf8 {
        /// The file, as the user named it.
        path: String,
        /// The offset of the first byte that is not UTF-8.
        offset: usize,
    },
    /// A checkpoint that is corrupt or does not fit: the field at fault and what is wrong with it.
    Checkpoint {
        /// The field at fault, as a path into the file: `params[0].data[0][0]`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// An [`Error::Io`] for `path`, with the operating system's reason.
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        Error::Io { path: path.display().to_string(), message: e.to_string() }
    }
}

/// A number for a message: as Rust writes it between 10⁻⁴ and 10⁹, in exponent form outside, so that
/// `1e308` is five characters rather than 309.
pub fn compact(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e9).contains(&x.abs()) {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

/// A count for a message that may be too large to read: exact below 10⁹, else three significant
/// digits (`1.20e11`).
pub fn approximate(n: f64) -> String {
    if n < 1e9 { format!("{n}") } else { format!("{n:.2e}") }
}

/// Text from outside (a path, a string from a file) made safe to print on a terminal: control
/// characters and the invisible ones that reorder text are escaped (`\u{1b}`, `\n`), and text longer
/// than 160 characters keeps its first 100 and last 50 around a `…`.
pub fn printable(text: &str) -> Cow<'_, str> {
    shortened(text, 160)
}

/// [`printable`], for text of up to `max` characters.
fn shortened(text: &str, max: usize) -> Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    let escape = |s: &str| -> String {
        s.chars().map(|c| if hidden(c) { c.escape_debug().to_string() } else { c.to_string() }).collect()
    };
    let n = text.chars().count();
    if n > max {
        let (keep_head, keep_tail) = (max * 5 / 8, max * 5 / 16);
        let head: String = text.chars().take(keep_head).collect();
        let tail: String = text.chars().skip(n - keep_tail).collect();
        Cow::Owned(format!("{}…{} ({n} characters)", escape(&head), escape(&tail)))
    } else if text.chars().any(hidden) {
        Cow::Owned(escape(text))
    } else {
        Cow::Borrowed(text)
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
            Error::InvalidWeight { weight, value } => write!(
                f,
                "the weight {weight} is {}: a weight must be a finite number of magnitude at most {}",
                compact(*value),
                compact(crate::model::WEIGHT_LIMIT)
            ),
            Error::InvalidTemperature(t) => {
                write!(f, "invalid temperature {}: it must be a finite number greater than 0", compact(*t))
            }
            Error::InvalidLearningRate(lr) => {
                write!(f, "invalid learning rate {}: it must be a finite number greater than 0", compact(*lr))
            }
            Error::InvalidAdam(why) => write!(f, "invalid Adam setting: {why}"),
            Error::NonFiniteLoss { step, loss, learning_rate } => write!(
                f,
                "training diverged: the loss at step {step} is {loss}; try a lower learning rate \
                 than {}",
                compact(*learning_rate)
            ),
            Error::WeightOutOfRange { step, weight, value, learning_rate } => write!(
                f,
                "training diverged: after step {step} the weight {weight} is {}, beyond ±{}; try a \
                 lower learning rate than {}",
                compact(*value),
                compact(crate::model::WEIGHT_LIMIT),
                compact(*learning_rate)
            ),
            Error::InvalidDocument { index, message } => write!(f, "document {index}: {message}"),
            Error::NonFiniteLogits { position } => write!(
                f,
                "the model's logits at position {position} are not finite: its weights are too large \
                 to sample from"
            ),
            Error::InvalidRngState(why) => write!(f, "invalid random generator state: {why}"),
            Error::Io { path, message } => write!(f, "{}: {}", printable(path), shortened(message, 320)),
            Error::NotUtf8 { path, offset } => {
                write!(f, "{}: not valid UTF-8 (first bad byte at offset {offset})", printable(path))
            }
            Error::Checkpoint { field, message } => {
                write!(f, "invalid checkpoint: field `{}`: {}", printable(field), shortened(message, 320))
            }
        }
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;
