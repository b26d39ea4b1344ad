//! The exercises at the end of chapters 2 to 15: `quizzes/chNN.toml`, which mdbook-quiz turns into
//! questions the reader answers in the page. Every answer key is computed here by the crate: each
//! question is found by its `id` in [`CHECKS`], whose function computes what the key must be (and
//! any number its text quotes), so no key can drift from the code. A question without a check,
//! or a check without a question, fails.

use mdbook_quiz_schema::{MultipleChoiceAnswerFormat, Question, Quiz};
use microgpt::Error;
use microgpt::data::{BUILTIN_NAMES, builtin_docs};
use microgpt::engine::{Engine, ScalarEngine};
use microgpt::fused::FusedEngine;
use microgpt::loss::{document_loss, positions};
use microgpt::math;
use microgpt::model::{Config, Gpt};
use microgpt::nn;
use microgpt::optim::{Adam, AdamConfig, LearningRate};
use microgpt::params::{Layout, Params};
use microgpt::python_random::PyRandom;
use microgpt::rng::{ChaCha, RandomSource};
use microgpt::sample::{Temperature, probabilities, sample};
use microgpt::tokenizer::Tokenizer;
use microgpt::train::{TrainOptions, Trainer, learning_rate, prepare, train};
use microgpt::value::{Tape, Var};
use microgpt_figures::thousands;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

#[allow(dead_code)] // chapter 15's questions call `run`; `main` is the example's own
#[path = "../examples/microgpt.rs"]
mod one_page;

/// What the crate computes for a question: the key, and the numbers its text (the prompt, or the
/// explanation shown once it is answered) must quote.
struct Expected {
    key: String,
    quoted: Vec<String>,
}

/// A key, with nothing more for the question's text to quote.
fn key(key: impl ToString) -> Expected {
    Expected { key: key.to_string(), quoted: Vec::new() }
}

/// What computes a question's key.
type Check = fn() -> Expected;

/// The check of every question, by id: the chapter it belongs to, and what it must say.
const CHECKS: &[(&str, u32, Check)] = &[
    ("647c3004-eef8-46e0-87f0-a11c12094c2b", 2, fan_out_of_a_times_a_plus_a),
    ("57b64574-862d-4926-b95c-1628552e9cfb", 2, the_chapters_graph_with_a_broken_mul),
    ("a247e0e7-e816-4b82-8ec4-443d567a3688", 2, edges_of_a_dot_product_of_16),
    ("bb267c9d-3cbb-4587-b045-38f7a37c9713", 3, bos_of_the_builtin_names),
    ("99cf0d2e-6d09-4f60-8ec9-76f3594eaca2", 3, emma_as_the_model_trains_on_it),
    ("3e453f55-f5ed-4031-92c4-944b9f14cf11", 3, encoding_an_unknown_character),
    ("62f784ac-3a89-48dc-87a5-45fff1e930ad", 3, predictions_in_sophia),
    ("4a17cafd-33e1-4a5a-9289-325ab850ed9f", 4, softmax_of_1_2_3_at_half),
    ("08b6c2a3-cefc-4598-b328-2ba5bd1cd10f", 4, linear_of_a_2_by_2_matrix),
    ("51384574-5198-4a4d-bb06-0c936d4efe54", 4, rms_norm_of_3_4),
    ("b8f43c11-773f-46ce-b395-e86b50de9042", 4, softmax_without_the_shift),
    ("a90c4b77-c1f2-4184-8fe0-0823a0d10f2d", 5, parameters_of_two_layers),
    ("e1207b36-d6ff-45e4-8892-71971e5efd66", 5, parameter_2000),
    ("f17579d2-2a36-41b7-938d-66a63808f7c6", 5, nodes_of_the_third_token),
    ("9e2a4910-9915-4038-b03e-edea0614a41c", 6, attention_weight_of_a_matching_key),
    ("68a13e77-3aa0-4529-af78-823fd0794756", 6, attention_scale_of_the_reference_model),
    ("5ae32478-3a56-4bf0-a29f-0240ace57fe6", 6, rows_of_wpe_the_loss_at_position_1_reaches),
    ("99169a5b-f5cb-40f9-8e09-7b15111c8fe1", 7, loss_of_uniform_guessing),
    ("e9d9372e-c18a-4480-8df7-ed0d0b8b4c6f", 7, cross_entropy_of_1_2_3),
    ("3f123bfc-b227-4cb5-856f-35a8469a4f6c", 7, gradient_of_that_cross_entropy),
    ("77c4ced7-bbab-469a-bbf9-fc7af4266151", 7, predictions_of_elizabeth_in_a_context_of_8),
    ("1d834981-20ea-4410-aa4d-0076ab11c65d", 8, first_bias_correction_of_m),
    ("eed98f24-c6fd-4877-a528-ea870c20a271", 8, first_step_without_bias_correction),
    ("a81ad873-f2cf-4b67-9d25-92f805921fa7", 8, reference_run_without_bias_correction),
    ("b223db10-8fe0-4e21-95e0-ad48a4993aca", 9, learning_rate_of_the_last_step),
    ("8f8eaf2f-39df-4d1f-8f0b-7fff40c1d517", 9, document_of_step_11),
    ("9d4026c2-2a68-4b2d-a729-66f7cbbfb43a", 9, step_at_which_lr_1_diverges),
    ("b5dc61ff-2c56-4c5c-9724-1e810c7b7edc", 10, probabilities_of_ln_1_2_4_at_half),
    ("acb9c147-453a-4f38-afd4-1e491de62205", 10, untrained_samples_that_fill_the_context),
    ("fef66f5f-4667-4b98-972f-cfab500be9a3", 10, first_letter_at_zero_temperature),
    ("9b9f6ddd-09b0-4a42-900a-77ad74266b24", 11, exit_status_of_a_bad_temperature),
    ("af121fc1-96cc-4bf4-9453-2b2c2be0378a", 11, exit_status_of_options_that_do_not_parse),
    ("1087aec6-bd39-46df-ba76-f83b4f99b1d4", 11, perplexity_after_training),
    ("f5d863a7-f13c-4fed-bb35-42ed7d4ad2c6", 12, index_3000_of_the_narrow_model),
    ("ae923d07-30aa-418a-ad13-911941e24267", 12, which_mistake_is_an_error),
    ("ed7ba7dd-c4c3-4e2a-bed9-8e73384175bb", 13, first_weight_after_an_extra_gauss),
    ("92b2159c-103b-4913-b31d-0cdc0562f88d", 13, engines_that_match_microgpt_py_at_step_1),
    ("708836e7-ff36-4be0-bf0a-b626a5f22731", 14, multiply_adds_of_the_linear_layers),
    ("46110385-6f3d-4080-a420-8d90ed02c1ba", 14, growth_of_those_at_n_embd_32),
    ("3b3dcc55-e64c-4c23-a965-d6912a13b916", 15, one_page_losses_like_the_scalar_engine),
    ("021f0701-1bcf-41e6-ba34-9ec38add2260", 15, one_page_file_on_blank_lines),
];

// ---------------------------------------------------------------------------------------------
// Chapter 2
// ---------------------------------------------------------------------------------------------

fn fan_out_of_a_times_a_plus_a() -> Expected {
    let mut tape = Tape::new();
    let a = tape.leaf(3.0);
    let square = tape.mul(a, a);
    let l = tape.add(square, a);
    key(tape.backward(l)[a])
}

/// The chapter's graph `L = (a·b + c)·a`, differentiated by the chain rule as `backward` does it,
/// but with every multiplication's first local derivative replaced by its first factor's own value:
/// what `mul` recording `(a, x)` instead of `(a, y)` would make `backward` compute.
fn the_chapters_graph_with_a_broken_mul() -> Expected {
    let mut tape = Tape::new();
    let (a, b, c) = (tape.leaf(2.0), tape.leaf(-3.0), tape.leaf(10.0));
    let d = tape.mul(a, b);
    let e = tape.add(d, c);
    let l = tape.mul(e, a);
    let right = tape.backward(l)[a];
    let mut grad = vec![0.0; tape.len()];
    grad[l.index()] = 1.0;
    for node in (0..tape.len()).rev() {
        let node = [a, b, c, d, e, l][node];
        for (k, &(child, local)) in tape.children(node).iter().enumerate() {
            let broken = if (node == d || node == l) && k == 0 { tape.value(child) } else { local };
            grad[child.index()] += broken * grad[node.index()];
        }
    }
    let right = right.to_string().replace('-', "−"); // as the prose writes a minus
    Expected { key: grad[a.index()].to_string(), quoted: vec![format!("(The right answer is {right}.)")] }
}

fn edges_of_a_dot_product_of_16() -> Expected {
    let mut tape = Tape::new();
    let x: Vec<Var> = (0..16).map(|i| tape.leaf(i as f64)).collect();
    let w: Vec<Var> = (0..16).map(|i| tape.leaf(0.5 * i as f64)).collect();
    let before = tape.edge_count();
    tape.dot(&x, &w);
    key(tape.edge_count() - before)
}

// ---------------------------------------------------------------------------------------------
// Chapter 3
// ---------------------------------------------------------------------------------------------

fn names_tokenizer() -> Tokenizer {
    Tokenizer::from_docs(&builtin_docs()).unwrap()
}

fn bos_of_the_builtin_names() -> Expected {
    key(names_tokenizer().bos())
}

fn emma_as_the_model_trains_on_it() -> Expected {
    let ids: Vec<String> =
        names_tokenizer().encode_doc("emma").unwrap().iter().map(usize::to_string).collect();
    key(ids.join(", "))
}

fn encoding_an_unknown_character() -> Expected {
    let err = names_tokenizer().encode("zoë").unwrap_err();
    assert!(matches!(err, Error::UnknownChar { .. }));
    key(format!("An error: {err}"))
}

fn predictions_in_sophia() -> Expected {
    key(positions(16, names_tokenizer().encode_doc("sophia").unwrap().len()))
}

// ---------------------------------------------------------------------------------------------
// Chapter 4
// ---------------------------------------------------------------------------------------------

fn softmax_of_1_2_3_at_half() -> Expected {
    let p = probabilities(&[1.0, 2.0, 3.0], Temperature::new(0.5).unwrap());
    let at_1 = probabilities(&[1.0, 2.0, 3.0], Temperature::new(1.0).unwrap());
    Expected { key: format!("{:.4}", p[2]), quoted: vec![] }.with_context(format!("{:.4}", at_1[2]))
}

fn linear_of_a_2_by_2_matrix() -> Expected {
    let mut tape = Tape::new();
    let w: Vec<Var> = [1.0, 2.0, 3.0, 4.0].iter().map(|&v| tape.leaf(v)).collect();
    let x: Vec<Var> = [1.0, -1.0].iter().map(|&v| tape.leaf(v)).collect();
    let y = nn::linear(&mut tape, &x, &w);
    let y: Vec<String> = tape.values(&y).iter().map(f64::to_string).collect();
    key(y.join(", "))
}

fn rms_norm_of_3_4() -> Expected {
    let mut tape = Tape::new();
    let x: Vec<Var> = [3.0, 4.0].iter().map(|&v| tape.leaf(v)).collect();
    let y = nn::rms_norm(&mut tape, &x);
    key(format!("{:.4}", tape.value(y[0])))
}

/// softmax's formula without the shift, `exp(xᵢ) / Σⱼ exp(xⱼ)`, against the shifted one.
fn softmax_without_the_shift() -> Expected {
    let total = math::exp(1000.0) + math::exp(1001.0);
    let shifted = math::softmax(&[1000.0, 1001.0])[0];
    key(math::exp(1000.0) / total).with_context(format!("{shifted:.4}"))
}

// ---------------------------------------------------------------------------------------------
// Chapter 5
// ---------------------------------------------------------------------------------------------

fn reference_model() -> Gpt {
    Gpt::init(Config::reference(27).unwrap(), &mut ChaCha::seed(42))
}

fn parameters_of_two_layers() -> Expected {
    key(Config::new(27, 2, 16, 4, 16).unwrap().n_params())
}

fn parameter_2000() -> Expected {
    let model = reference_model();
    let (name, row, col) = model.params().layout().name_of(2000);
    key(format!("{name}[{row}][{col}]"))
}

fn nodes_of_the_third_token() -> Expected {
    let model = reference_model();
    let mut engine = ScalarEngine::new();
    engine.begin(model.params());
    let mut cache = model.kv_cache();
    let counts: Vec<usize> = [26, 4, 12]
        .into_iter()
        .enumerate()
        .map(|(pos, token)| {
            let before = engine.tape().len();
            model.forward(&mut engine, token, pos, &mut cache);
            engine.tape().len() - before
        })
        .collect();
    Expected { key: counts[2].to_string(), quoted: vec![counts[0].to_string(), counts[1].to_string()] }
}

// ---------------------------------------------------------------------------------------------
// Chapter 6
// ---------------------------------------------------------------------------------------------

fn attention_weight_of_a_matching_key() -> Expected {
    let mut tape = Tape::new();
    let mut vector = |xs: [f64; 2]| -> Vec<Var> { xs.iter().map(|&x| tape.leaf(x)).collect() };
    let q = vector([1.0, 0.0]);
    let keys = [vector([1.0, 0.0]), vector([0.0, 1.0])];
    let values = [vector([1.0, 0.0]), vector([0.0, 1.0])];
    let (_, weights) = nn::attention(&mut tape, &q, &keys, &values, 1);
    key(format!("{:.4}", tape.value(weights[0][0])))
}

fn attention_scale_of_the_reference_model() -> Expected {
    key(nn::attention_scale(Config::reference(27).unwrap().head_dim()))
}

fn rows_of_wpe_the_loss_at_position_1_reaches() -> Expected {
    let model = reference_model();
    let tokens = [26, 4, 12, 12]; // BOS e m m
    let mut engine = ScalarEngine::new();
    engine.begin(model.params());
    let mut cache = model.kv_cache();
    let mut losses = Vec::new();
    for pos in 0..3 {
        let logits = model.forward(&mut engine, tokens[pos], pos, &mut cache);
        losses.push(engine.cross_entropy(&logits, tokens[pos + 1]));
    }
    model.forward(&mut engine, tokens[3], 3, &mut cache);
    let mut grads = model.params().zeros_like();
    engine.backward(losses[1], &mut grads);
    let wpe = model.wpe();
    key((0..wpe.rows()).filter(|&row| grads.row(wpe, row).iter().any(|&g| g != 0.0)).count())
}

// ---------------------------------------------------------------------------------------------
// Chapter 7
// ---------------------------------------------------------------------------------------------

fn loss_of_uniform_guessing() -> Expected {
    let mut tape = Tape::new();
    let logits: Vec<Var> = (0..27).map(|_| tape.leaf(0.0)).collect();
    let loss = nn::cross_entropy(&mut tape, &logits, 0);
    key(format!("{:.4}", tape.value(loss)))
}

/// The loss of logits [1, 2, 3] for the right token 0, and its gradient with respect to each logit.
fn cross_entropy_1_2_3() -> (f64, Vec<f64>) {
    let mut tape = Tape::new();
    let logits: Vec<Var> = [1.0, 2.0, 3.0].iter().map(|&v| tape.leaf(v)).collect();
    let loss = nn::cross_entropy(&mut tape, &logits, 0);
    let grads = tape.backward(loss);
    (tape.value(loss), logits.iter().map(|&z| grads[z]).collect())
}

fn cross_entropy_of_1_2_3() -> Expected {
    key(format!("{:.4}", cross_entropy_1_2_3().0))
}

fn gradient_of_that_cross_entropy() -> Expected {
    key(format!("{:.4}", cross_entropy_1_2_3().1[2]))
}

fn predictions_of_elizabeth_in_a_context_of_8() -> Expected {
    key(positions(8, names_tokenizer().encode_doc("elizabeth").unwrap().len()))
}

// ---------------------------------------------------------------------------------------------
// Chapter 8
// ---------------------------------------------------------------------------------------------

fn first_bias_correction_of_m() -> Expected {
    let beta1 = AdamConfig::default().beta1();
    key(format!("{:.2}", 1.0 / (1.0 - math::pow(beta1, 1.0)))).with_context(format!("β₁ = {beta1}"))
}

/// Adam's first step as the crate takes it, and as it would be without bias correction.
fn first_step_without_bias_correction() -> Expected {
    let mut layout = Layout::new();
    layout.push("w", 1, 1);
    let mut w = Params::new(Arc::new(layout), vec![0.0]);
    let mut g = w.zeros_like();
    g.data_mut()[0] = 0.5;
    let mut adam = Adam::new(AdamConfig::default(), &w);
    adam.step(&mut w, &g, 0.01);
    let corrected = -w.data()[0] / 0.01;
    assert!((corrected - 1.0).abs() < 1e-6, "the crate's first step is {corrected} lr");

    let config = AdamConfig::default();
    let (m, v) = ((1.0 - config.beta1()) * 0.5, (1.0 - config.beta2()) * 0.5 * 0.5);
    key(format!("{:.2}", m / (v.sqrt() + config.eps()))).with_context("0.5")
}

/// The losses of the reference run: the built-in names, seed 42, 1,000 steps, and the trained model.
static REFERENCE_RUN: LazyLock<(Vec<f64>, Gpt)> = LazyLock::new(|| {
    let mut run = prepare(builtin_docs(), &mut ChaCha::seed(42), Config::reference).unwrap();
    let mut losses = Vec::new();
    train(&mut run.model, &mut FusedEngine::new(), &run.docs, &TrainOptions::default(), |r| {
        losses.push(r.loss)
    })
    .unwrap();
    (losses, run.model)
});

fn mean_of_last_100(losses: &[f64]) -> f64 {
    losses[losses.len() - 100..].iter().sum::<f64>() / 100.0
}

/// The reference run again, with `Adam::step` changed as the question says: `m` and `v` where it
/// uses `m̂` and `v̂`.
fn reference_run_without_bias_correction() -> Expected {
    let mut run = prepare(builtin_docs(), &mut ChaCha::seed(42), Config::reference).unwrap();
    let config = AdamConfig::default();
    let (beta1, beta2, eps) = (config.beta1(), config.beta2(), config.eps());
    let mut engine = FusedEngine::new();
    let mut grads = run.model.params().zeros_like();
    let n = grads.len();
    let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
    let mut losses = Vec::new();
    for step in 0..1000 {
        engine.begin(run.model.params());
        let loss = document_loss(&run.model, &mut engine, &run.docs[step % run.docs.len()]);
        losses.push(engine.value(loss));
        engine.backward(loss, &mut grads);
        let lr = learning_rate(config.learning_rate().get(), step, 1000);
        let weights = run.model.params_mut().data_mut();
        for i in 0..n {
            let g = grads.data()[i];
            m[i] = beta1 * m[i] + (1.0 - beta1) * g;
            v[i] = beta2 * v[i] + (1.0 - beta2) * (g * g);
            weights[i] -= lr * m[i] / (v[i].sqrt() + eps);
        }
    }
    let real = mean_of_last_100(&REFERENCE_RUN.0);
    let change = mean_of_last_100(&losses) - real;
    let answer = match change {
        c if c > 0.01 => "It rises by more than 0.01",
        c if c < -0.01 => "It falls by more than 0.01",
        _ => "It changes by less than 0.01",
    };
    key(answer).with_context(format!("{real:.4}")).with_context(format!("{:.4}", real + change))
}

// ---------------------------------------------------------------------------------------------
// Chapter 9
// ---------------------------------------------------------------------------------------------

fn learning_rate_of_the_last_step() -> Expected {
    key(format!("{:.5}", learning_rate(0.01, 999, 1000)))
}

/// The document a 16-step run over 8 documents trains on at its step 11: with the smallest learning
/// rate the model never changes, so the reported loss is the loss of that document.
fn document_of_step_11() -> Expected {
    let names = ["emma", "olivia", "liam", "noah", "ava", "sophia", "james", "william"];
    let mut run = prepare(names.to_vec(), &mut ChaCha::seed(3), Config::reference).unwrap();
    let smallest = AdamConfig::default().with_learning_rate(LearningRate::new(f64::MIN_POSITIVE).unwrap());
    let mut trainer = Trainer::new(&run.model, TrainOptions { steps: 16, adam: smallest });
    let mut engine = ScalarEngine::new();
    let reports: Vec<f64> =
        std::iter::from_fn(|| trainer.step(&mut run.model, &mut engine, &run.docs).unwrap())
            .map(|r| r.loss)
            .collect();
    let losses: Vec<f64> = run
        .docs
        .iter()
        .map(|doc| {
            engine.begin(run.model.params());
            let loss = document_loss(&run.model, &mut engine, doc);
            engine.value(loss)
        })
        .collect();
    let doc = losses.iter().position(|&l| l == reports[10]).expect("step 11's loss is a document's");
    key(doc).with_context("8 documents").with_context("16 steps")
}

fn step_at_which_lr_1_diverges() -> Expected {
    let run = prepare(builtin_docs(), &mut ChaCha::seed(42), Config::reference).unwrap();
    let adam = AdamConfig::default().with_learning_rate(LearningRate::new(1.0).unwrap());
    let mut model = run.model.clone();
    let err =
        train(&mut model, &mut FusedEngine::new(), &run.docs, &TrainOptions { steps: 1000, adam }, |_| {});
    match err {
        Err(Error::NonFiniteLoss { step, .. }) => key(step),
        other => panic!("at lr = 1 the reference run ends with {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Chapter 10
// ---------------------------------------------------------------------------------------------

fn probabilities_of_ln_1_2_4_at_half() -> Expected {
    let logits = [math::ln(1.0), math::ln(2.0), math::ln(4.0)];
    key(format!("{:.4}", probabilities(&logits, Temperature::new(0.5).unwrap())[2]))
}

/// `(26/27)¹⁶`, and how many of 1,000 samples of an untrained model (seed 11) fill the context.
fn untrained_samples_that_fill_the_context() -> Expected {
    let share = math::pow(26.0 / 27.0, 16.0);
    let mut rng = ChaCha::seed(11);
    let model = Gpt::init(Config::reference(27).unwrap(), &mut rng);
    let mut engine = FusedEngine::new();
    let t = Temperature::new(1.0).unwrap();
    let full = (0..1000).filter(|_| sample(&model, &mut engine, t, &mut rng).unwrap().len() == 16).count();
    key(format!("{share:.2}")).with_context(format!("{full} of 1,000"))
}

fn first_letter_at_zero_temperature() -> Expected {
    let model = &REFERENCE_RUN.1;
    let mut engine = FusedEngine::new();
    let coldest = Temperature::new(1e-300).unwrap();
    let letters: Vec<String> = (0..5)
        .map(|seed| {
            let tokens = sample(model, &mut engine, coldest, &mut ChaCha::seed(seed)).unwrap();
            names_tokenizer().decode(&tokens[..1])
        })
        .collect();
    assert!(letters.iter().all(|l| *l == letters[0]), "first letters at T → 0: {letters:?}");
    key(&letters[0])
}

// ---------------------------------------------------------------------------------------------
// Chapter 11
// ---------------------------------------------------------------------------------------------

/// The exit status of the `microgpt` binary run with `args`.
fn exit_status(args: &[&str]) -> i32 {
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_microgpt"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the microgpt binary runs");
    status.code().expect("it exits")
}

fn exit_status_of_a_bad_temperature() -> Expected {
    key(exit_status(&["--temperature", "0", "--quiet"]))
}

fn exit_status_of_options_that_do_not_parse() -> Expected {
    key(exit_status(&["--steps", "many"]))
}

fn perplexity_after_training() -> Expected {
    let loss = mean_of_last_100(&REFERENCE_RUN.0);
    key(format!("{:.1}", math::exp(loss))).with_context(format!("{loss:.4}"))
}

// ---------------------------------------------------------------------------------------------
// Chapter 12
// ---------------------------------------------------------------------------------------------

/// `matrix[row][col]`, the name of parameter `i` in `model`'s layout.
fn weight_name(model: &Gpt, i: usize) -> String {
    let (matrix, row, col) = model.params().layout().name_of(i);
    format!("{matrix}[{row}][{col}]")
}

fn index_3000_of_the_narrow_model() -> Expected {
    let narrow = Gpt::init(Config::new(27, 1, 8, 4, 374).unwrap(), &mut ChaCha::seed(0));
    let reference = reference_model();
    assert_eq!((narrow.params().len(), reference.params().len()), (4192, 4192));
    key(weight_name(&narrow, 3000)).with_context(weight_name(&reference, 3000))
}

/// Whether `f` returns an error (`true`), returns `Ok` (`false`), or panics (`None`).
fn errs_or_panics(f: impl FnOnce() -> Result<(), Error>) -> Option<bool> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok().map(|r| r.is_err())
}

fn which_mistake_is_an_error() -> Expected {
    let reference = reference_model();
    let mut narrow = Gpt::init(Config::new(27, 1, 8, 4, 374).unwrap(), &mut ChaCha::seed(0));
    type Attempt<'a> = Box<dyn FnOnce() -> Result<(), Error> + 'a>;
    let options: [(&str, Attempt); 3] = [
        ("`Temperature::new(-1.0)`", Box::new(|| Temperature::new(-1.0).map(|_| ()))),
        (
            "`model.forward(&mut engine, 99, 0, &mut cache)`, for a model with a vocabulary of 27",
            Box::new(|| {
                let mut engine = FusedEngine::new();
                engine.begin(reference.params());
                let mut cache = reference.kv_cache();
                reference.forward(&mut engine, 99, 0, &mut cache);
                Ok(())
            }),
        ),
        (
            "`adam.step(narrow.params_mut(), &grads, 0.01)`, with Adam's state made for the reference model",
            Box::new(|| {
                let mut adam = Adam::new(AdamConfig::default(), reference.params());
                let grads = narrow.params().zeros_like();
                adam.step(narrow.params_mut(), &grads, 0.01);
                Ok(())
            }),
        ),
    ];
    let mut errors = Vec::new();
    for (text, f) in options {
        match errs_or_panics(f) {
            Some(true) => errors.push(text),
            Some(false) => panic!("{text} succeeds: no option of this question may"),
            None => {} // a panic, as a bug deserves
        }
    }
    assert_eq!(errors.len(), 1, "exactly one option returns an error: {errors:?}");
    key(errors[0])
}

// ---------------------------------------------------------------------------------------------
// Chapter 13
// ---------------------------------------------------------------------------------------------

fn first_weight_after_an_extra_gauss() -> Expected {
    let config = Config::reference(27).unwrap();
    let original = Gpt::init(config, &mut PyRandom::seed(42));
    let mut rng = PyRandom::seed(42);
    rng.gauss(0.0, 1.0);
    let shifted = Gpt::init(config, &mut rng);
    let (original, shifted) = (original.params().data(), shifted.params().data());
    let index = original.iter().position(|&w| w == shifted[0]).expect("the first weight is an original one");
    let moved = shifted.iter().zip(&original[1..]).filter(|(a, b)| a == b).count();
    key(index).with_context(thousands(moved))
}

fn engines_that_match_microgpt_py_at_step_1() -> Expected {
    let csv = fs::read_to_string(root().join("tests/data/microgpt/builtin_losses.csv")).unwrap();
    let python: f64 = csv.lines().nth(1).unwrap().split(',').nth(1).unwrap().parse().unwrap();
    let run = prepare(builtin_docs(), &mut PyRandom::seed(42), Config::reference).unwrap();
    fn loss_of<E: Engine>(mut engine: E, model: &Gpt, doc: &[usize]) -> f64 {
        engine.begin(model.params());
        let loss = document_loss(model, &mut engine, doc);
        engine.value(loss)
    }
    let scalar = loss_of(ScalarEngine::new(), &run.model, &run.docs[0]) == python;
    let fused = loss_of(FusedEngine::new(), &run.model, &run.docs[0]) == python;
    key(match (scalar, fused) {
        (true, true) => "Both: each keeps microgpt.py's order of operations in the forward pass",
        (true, false) => "Only the scalar tape: it records microgpt.py's operations one by one",
        (false, true) => "Only the fused engine",
        (false, false) => "Neither: the initial weights already differ in their last bits",
    })
}

// ---------------------------------------------------------------------------------------------
// Chapter 14
// ---------------------------------------------------------------------------------------------

/// The multiply-adds of the linear layers at one position: one per weight of every matrix but the
/// embedding tables, of which a position reads one row.
fn linear_multiply_adds(model: &Gpt) -> usize {
    let layout = model.params().layout();
    layout.matrices().iter().filter(|(name, _)| name != "wte" && name != "wpe").map(|(_, m)| m.len()).sum()
}

fn multiply_adds_of_the_linear_layers() -> Expected {
    let model = reference_model();
    key(linear_multiply_adds(&model)).with_context(thousands(model.lm_head().len()))
}

fn growth_of_those_at_n_embd_32() -> Expected {
    let wide = Gpt::init(Config::new(27, 1, 32, 4, 16).unwrap(), &mut ChaCha::seed(0));
    let (wide, narrow) = (linear_multiply_adds(&wide), linear_multiply_adds(&reference_model()));
    key(format!("{:.2}", wide as f64 / narrow as f64))
        .with_context(thousands(wide))
        .with_context(thousands(narrow))
}

// ---------------------------------------------------------------------------------------------
// Chapter 15
// ---------------------------------------------------------------------------------------------

fn one_page_losses_like_the_scalar_engine() -> Expected {
    let (file_losses, file_names) = one_page::run(BUILTIN_NAMES, &mut std::io::sink()).unwrap();
    let mut rng = ChaCha::seed(42);
    let mut run = prepare(builtin_docs(), &mut rng, Config::reference).unwrap();
    let mut engine = ScalarEngine::new();
    let mut losses = Vec::new();
    train(&mut run.model, &mut engine, &run.docs, &TrainOptions::default(), |r| losses.push(r.loss)).unwrap();
    let names: Vec<String> = (0..20)
        .map(|_| {
            run.tokenizer.decode(&sample(&run.model, &mut engine, Temperature::default(), &mut rng).unwrap())
        })
        .collect();
    let same = losses.iter().zip(&file_losses).filter(|(a, b)| a.to_bits() == b.to_bits()).count();
    key(match same {
        1000 if names == file_names => "All 1,000, and the 20 names too".to_string(),
        n => format!("{n}"),
    })
}

fn one_page_file_on_blank_lines() -> Expected {
    let mut printed = Vec::new();
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| one_page::run("\n\n\n", &mut printed)));
    let printed = String::from_utf8(printed).unwrap();
    let message = match outcome {
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default(),
        Ok(_) => panic!("the one-page file ran on blank lines without panicking"),
    };
    assert!(printed.starts_with("num docs: 0\n"), "{printed}");
    let empty = microgpt::data::parse_docs(b"\n\n\n", "blank.txt").unwrap_err();
    key(format!("It panics: {message}")).with_context(format!("\"{empty}\""))
}

impl Expected {
    /// The same key, and a number or phrase the question's text must quote.
    fn with_context(mut self, quoted: impl ToString) -> Self {
        self.quoted.push(quoted.to_string());
        self
    }
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every quiz, by file name (`ch04.toml`), parsed with mdbook-quiz's own schema.
fn quizzes() -> BTreeMap<String, Quiz> {
    let dir = root().join("quizzes");
    let mut quizzes = BTreeMap::new();
    for entry in fs::read_dir(&dir).expect("quizzes/ is committed") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(&path).unwrap();
        let quiz: Quiz =
            toml::from_str(&text).unwrap_or_else(|e| panic!("quizzes/{name} is not a quiz: {e}"));
        quizzes.insert(name, quiz);
    }
    quizzes
}

/// A question's id, its text (prompt and context), its key and its wrong options.
fn parts(question: &Question) -> (Option<&str>, String, &str, Vec<&str>) {
    let text = |prompt: &str, context: &Option<mdbook_quiz_schema::Markdown>| {
        format!("{prompt}\n{}", context.as_ref().map_or("", |c| c.0.as_str()))
    };
    match question {
        Question::ShortAnswer(q) => {
            let q = &q.0;
            (q.id.as_deref(), text(&q.prompt.prompt.0, &q.context), &q.answer.answer, Vec::new())
        }
        Question::MultipleChoice(q) => {
            let q = &q.0;
            let answer = match &q.answer.answer {
                MultipleChoiceAnswerFormat::Single(a) => a.0.as_str(),
                MultipleChoiceAnswerFormat::Multi(_) => "(several answers: not used in this book)",
            };
            let distractors = q.prompt.distractors.iter().map(|d| d.0.as_str()).collect();
            (q.id.as_deref(), text(&q.prompt.prompt.0, &q.context), answer, distractors)
        }
        Question::Tracing(q) => {
            (q.0.id.as_deref(), "(a tracing question: not used in this book)".into(), "", Vec::new())
        }
    }
}

#[test]
fn every_answer_key_is_what_the_crate_computes() {
    let checks: BTreeMap<&str, (u32, Check)> = CHECKS.iter().map(|&(id, n, f)| (id, (n, f))).collect();
    assert_eq!(checks.len(), CHECKS.len(), "an id appears twice in CHECKS");
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for (file, quiz) in quizzes() {
        for (i, question) in quiz.questions.iter().enumerate() {
            let (id, text, answer, distractors) = parts(question);
            let at = format!("quizzes/{file}, question {}", i + 1);
            let Some(id) = id else {
                problems.push(format!("{at} has no id (mdbook-quiz would write a random one into the file)"));
                continue;
            };
            let Some(&(chapter, check)) = checks.get(id) else {
                problems.push(format!("{at} (id {id}) has no check in tests/quizzes.rs: add one to CHECKS"));
                continue;
            };
            if file != format!("ch{chapter:02}.toml") {
                problems.push(format!("{at} (id {id}) is checked as a question of chapter {chapter}"));
            }
            checked.push(id.to_string());
            let expected = check();
            if answer != expected.key {
                problems.push(format!(
                    "{at} (id {id}): the key is {answer:?}, but the crate computes {:?}",
                    expected.key
                ));
            }
            if distractors.contains(&expected.key.as_str()) {
                problems.push(format!(
                    "{at} (id {id}): the right answer {:?} is also a wrong option",
                    expected.key
                ));
            }
            for quoted in &expected.quoted {
                if !text.contains(quoted.as_str()) {
                    problems.push(format!(
                        "{at} (id {id}): its text should quote {quoted:?}, as the crate computes it"
                    ));
                }
            }
        }
    }
    for &(id, chapter, _) in CHECKS {
        if !checked.iter().any(|c| c == id) {
            problems.push(format!("CHECKS has a check for id {id} (chapter {chapter}), which no quiz asks"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    println!("{} answer keys checked", checked.len());
}

/// The chapter file whose name starts with `NN-`.
fn chapter_file(n: u32) -> PathBuf {
    let dir = root().join("chapters");
    fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{n:02}-")))
        .unwrap_or_else(|| panic!("no chapter {n} in chapters/"))
}

#[test]
fn every_chapter_after_the_first_ends_with_two_to_four_exercises_and_its_workbook_task() {
    let quizzes = quizzes();
    let mut problems = Vec::new();
    for n in 2..=15 {
        let name = format!("ch{n:02}.toml");
        match quizzes.get(&name).map(|q| q.questions.len()) {
            Some(2..=4) => {}
            Some(k) => problems.push(format!("quizzes/{name} has {k} questions, not 2 to 4")),
            None => problems.push(format!("chapter {n} has no quizzes/{name}")),
        }
        let path = chapter_file(n);
        let text = fs::read_to_string(&path).unwrap();
        let shown = Path::new("chapters").join(path.file_name().unwrap());
        let exercises = text.find("\n## Exercises\n");
        let summary = text.find("\n## Summary\n");
        if !matches!((exercises, summary), (Some(e), Some(s)) if e < s) {
            problems.push(format!("{}: no `## Exercises` section just before `## Summary`", shown.display()));
            continue;
        }
        let section = &text[exercises.unwrap()..summary.unwrap()];
        let quiz = format!("{{{{#quiz ../quizzes/{name}}}}}");
        if !section.contains(&quiz) {
            problems.push(format!("{}: its exercises do not include `{quiz}`", shown.display()));
        }
        // The workbook ends with chapter 11, the whole pipeline; the chapters after it have no task.
        if n <= 11 && !section.contains(&format!("cargo test ch{n:02}")) {
            problems.push(format!("{}: its exercises do not say `cargo test ch{n:02}`", shown.display()));
        }
    }
    let extra: Vec<&String> =
        quizzes.keys().filter(|k| !(2..=15).any(|n| **k == format!("ch{n:02}.toml"))).collect();
    assert!(extra.is_empty(), "quizzes of no teaching chapter: {extra:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
