//! Chapter 8's widget: one weight of the real model over the first steps of the reference run,
//! under Adam (its learning rate, its β's and its bias correction set by the reader) and under plain
//! gradient descent, `w ← w − lr·g`, with the same decaying learning rate.
//!
//! Adam is the library's, taken step by step by the library's [`Trainer`]: with the reader's
//! settings at their defaults, its path is the reference run's. Without the bias correction it is
//! the same `Adam`, set up with [`AdamConfig::without_bias_correction`], so the widget compares the
//! two variants of one implementation. Gradient descent is one line here, as in chapter 9's
//! comparison; the gradients are the library's, through the same engine and the same loss.

use crate::{REFERENCE_SEED, number, parse, prepared};
use microgpt::engine::Engine;
use microgpt::error::Error;
use microgpt::fused::FusedEngine;
use microgpt::loss::document_loss;
use microgpt::optim::{AdamConfig, LearningRate};
use microgpt::train::{Prepared, TrainOptions, Trainer, learning_rate};
use wasm_bindgen::prelude::wasm_bindgen;

/// How many steps the paths follow.
pub const PATH_STEPS: usize = 50;

/// The settings of the comparison, as the page's fields write them.
pub struct Settings<'a> {
    /// The name of a matrix of the model, as its layout names it (`wte`, `layer0.attn_wq`, …).
    pub matrix: &'a str,
    /// The weight's row in that matrix.
    pub row: &'a str,
    /// The weight's column in that matrix.
    pub col: &'a str,
    /// Adam's learning rate before decay.
    pub adam_lr: &'a str,
    /// Adam's β₁.
    pub beta1: &'a str,
    /// Adam's β₂.
    pub beta2: &'a str,
    /// Whether Adam divides its averages by `1 − βᵗ`.
    pub bias_correction: bool,
    /// Gradient descent's learning rate before decay.
    pub descent_lr: &'a str,
}

/// The value of one weight before the first step and after each of the first [`PATH_STEPS`] steps,
/// or of the steps before a run diverged.
#[wasm_bindgen]
pub struct OptimizerPaths {
    adam: Vec<f64>,
    descent: Vec<f64>,
    /// The library's message for the first run that diverged, or an empty string.
    diverged: String,
}

#[wasm_bindgen]
impl OptimizerPaths {
    /// Both paths of the weight `matrix[row][col]`: the reference run's model and documents, in the
    /// reference run's learning-rate schedule (a linear decay over its 1,000 steps).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)] // one per field of the page
    pub fn new(
        matrix: &str,
        row: &str,
        col: &str,
        adam_lr: &str,
        beta1: &str,
        beta2: &str,
        bias_correction: bool,
        descent_lr: &str,
    ) -> Result<OptimizerPaths, String> {
        let settings = Settings { matrix, row, col, adam_lr, beta1, beta2, bias_correction, descent_lr };
        paths(&settings)
    }

    /// Adam's path: [`PATH_STEPS`] + 1 values, fewer if it diverged.
    pub fn adam(&self) -> Vec<f64> {
        self.adam.clone()
    }

    /// Gradient descent's path: [`PATH_STEPS`] + 1 values, fewer if it diverged.
    pub fn descent(&self) -> Vec<f64> {
        self.descent.clone()
    }

    /// The number of steps a path has when its run does not diverge: [`PATH_STEPS`].
    pub fn steps(&self) -> usize {
        PATH_STEPS
    }

    /// Why a path stops early: the library's message for a loss that was not finite, or an empty
    /// string if both paths have all their steps.
    pub fn diverged(&self) -> String {
        self.diverged.clone()
    }
}

/// The paths for `settings`, or one line saying which setting is wrong.
pub fn paths(settings: &Settings) -> Result<OptimizerPaths, String> {
    let error = |e: Error| e.to_string();
    let learning_rate_of = |text| LearningRate::new(number("learning rate", text)?).map_err(error);
    let (adam_lr, descent_lr) = (learning_rate_of(settings.adam_lr)?, learning_rate_of(settings.descent_lr)?);
    let (beta1, beta2) = (number("beta1", settings.beta1)?, number("beta2", settings.beta2)?);
    let adam = AdamConfig::new(adam_lr, beta1, beta2, AdamConfig::default().eps()).map_err(error)?;
    let adam = if settings.bias_correction { adam } else { adam.without_bias_correction() };

    let (Prepared { docs, model, .. }, _) = prepared(None, REFERENCE_SEED)?;
    let Some((name, matrix)) = model.params().layout().matrices().iter().find(|(n, _)| n == settings.matrix)
    else {
        return Err(format!("the model has no matrix {:?}", settings.matrix));
    };
    let row: usize = parse("row", settings.row, "it must be a whole number, 0 or more")?;
    let col: usize = parse("column", settings.col, "it must be a whole number, 0 or more")?;
    if row >= matrix.rows() || col >= matrix.cols() {
        let (rows, cols) = (matrix.rows(), matrix.cols());
        return Err(format!("{name}[{row}][{col}] is outside {name}, which has {rows} rows of {cols}"));
    }
    let weight = matrix.row_range(row).start + col;
    let steps = TrainOptions::default().steps;
    let mut engine = FusedEngine::new();

    let mut with_adam = model.clone();
    let mut trainer = Trainer::new(&with_adam, TrainOptions { steps, adam });
    let mut adam_path = vec![with_adam.params().data()[weight]];
    let mut diverged = Vec::new();
    for _ in 0..PATH_STEPS {
        if let Err(e) = trainer.step(&mut with_adam, &mut engine, &docs) {
            diverged.push(format!("Adam: {e}"));
            break;
        }
        adam_path.push(with_adam.params().data()[weight]);
    }

    let mut descending = model;
    let mut grads = descending.params().zeros_like();
    let mut descent_path = vec![descending.params().data()[weight]];
    for (step, doc) in docs.iter().take(PATH_STEPS).enumerate() {
        engine.begin(descending.params());
        let loss = document_loss(&descending, &mut engine, doc);
        let loss_value = engine.value(loss);
        if !loss_value.is_finite() {
            let learning_rate = descent_lr.get();
            let e = Error::NonFiniteLoss { step: step + 1, loss: loss_value, learning_rate };
            diverged.push(format!("gradient descent: {e}"));
            break;
        }
        engine.backward(loss, &mut grads);
        let lr = learning_rate(descent_lr.get(), step, steps);
        for (w, g) in descending.params_mut().data_mut().iter_mut().zip(grads.data()) {
            *w -= lr * g;
        }
        descent_path.push(descending.params().data()[weight]);
    }
    Ok(OptimizerPaths { adam: adam_path, descent: descent_path, diverged: diverged.join("; ") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use microgpt::data::builtin_docs;
    use microgpt::model::Config;
    use microgpt::rng::ChaCha;
    use microgpt::train::prepare;

    fn settings<'a>(matrix: &'a str, bias_correction: bool) -> Settings<'a> {
        Settings {
            matrix,
            row: "0",
            col: "0",
            adam_lr: "0.01",
            beta1: "0.85",
            beta2: "0.99",
            bias_correction,
            descent_lr: "0.3",
        }
    }

    #[test]
    fn with_the_default_settings_adams_path_is_the_reference_runs() {
        let paths = paths(&settings("layer0.attn_wq", true)).unwrap();
        let mut run = prepare(builtin_docs(), &mut ChaCha::seed(42), Config::reference).unwrap();
        let wq = run.model.layers()[0].attn_wq.range().start;
        let mut expected = vec![run.model.params().data()[wq]];
        let options = TrainOptions::default();
        let mut trainer = Trainer::new(&run.model, options);
        for _ in 0..PATH_STEPS {
            trainer.step(&mut run.model, &mut FusedEngine::new(), &run.docs).unwrap();
            expected.push(run.model.params().data()[wq]);
        }
        assert_eq!(paths.adam(), expected);
        assert_eq!((paths.adam().len(), paths.descent().len()), (51, 51));
    }

    #[test]
    fn without_the_bias_correction_the_first_step_is_larger() {
        // wpe[0] is the position of BOS, which every document starts with: a gradient at every step.
        let corrected = paths(&settings("wpe", true)).unwrap().adam();
        let uncorrected = paths(&settings("wpe", false)).unwrap().adam();
        assert_eq!(corrected[0], uncorrected[0]);
        // The first step: lr·(1 − β₁)/√(1 − β₂) = 1.5 lr without the correction, lr with it.
        let ratio = (uncorrected[1] - uncorrected[0]) / (corrected[1] - corrected[0]);
        assert!((ratio - 1.5).abs() < 1e-4, "{ratio}");
    }

    #[test]
    fn settings_out_of_range_are_named() {
        let error = |s: Settings| paths(&s).err().unwrap();
        assert_eq!(
            error(Settings { row: "27", ..settings("wte", true) }),
            "wte[27][0] is outside wte, which has 27 rows of 16"
        );
        assert_eq!(error(settings("wtf", true)), "the model has no matrix \"wtf\"");
        assert_eq!(
            error(Settings { beta1: "1", ..settings("wte", true) }),
            "invalid Adam setting: beta1 must be at least 0 and below 1, not 1"
        );
    }

    #[test]
    fn a_run_that_diverges_stops_its_path_with_the_librarys_message() {
        let paths = paths(&Settings { descent_lr: "3", ..settings("wte", true) }).unwrap();
        assert_eq!(
            paths.diverged(),
            "gradient descent: training diverged: the loss at step 5 is inf; try a lower learning rate than 3"
        );
        assert_eq!((paths.adam().len(), paths.descent().len()), (51, 5));
    }
}
