//! What each exploration widget must show, computed natively: the browser test (web/browser-test)
//! runs this beside the page and compares the numbers, bit for bit.
//!
//! ```text
//! widget_numbers graph A B C RELU                 chapter 2: values, gradients, central differences
//! widget_numbers softmax "X0 X1 …" T              chapter 4: probabilities and entropy
//! widget_numbers attention NAME                   chapter 6: the reference model's weights, layer 0
//! widget_numbers paths MATRIX ROW COL LR B1 B2 CORRECTION GD_LR
//!                                                 chapter 8: Adam's and gradient descent's paths
//! widget_numbers next PREFIX                      chapter 11: the model's and the letter pairs'
//!                                                 next-character probabilities
//! ```
//!
//! Each prints one JSON object. The reference model is trained here with the library, as
//! `microgpt run` trains it; the rest calls the web crate's own types, natively.

use microgpt::data::builtin_docs;
use microgpt::engine::Engine;
use microgpt::fused::FusedEngine;
use microgpt::model::{Config, Gpt};
use microgpt::rng::ChaCha;
use microgpt::sample::{Temperature, probabilities};
use microgpt::tokenizer::Tokenizer;
use microgpt::train::{TrainOptions, prepare, train};
use microgpt_web::bigram::Bigram;
use microgpt_web::graph::ExpressionGraph;
use microgpt_web::optimizers::OptimizerPaths;
use microgpt_web::softmax::Softmax;
use serde_json::json;

/// The reference model, `microgpt run` with its defaults, and its vocabulary.
fn reference() -> (Gpt, Tokenizer) {
    let mut run = prepare(builtin_docs(), &mut ChaCha::seed(42), Config::reference).unwrap();
    train(&mut run.model, &mut FusedEngine::new(), &run.docs, &TrainOptions::default(), |_| {}).unwrap();
    (run.model, run.tokenizer)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| {
        args.get(i).map(String::as_str).unwrap_or_else(|| panic!("argument {i} missing: see the doc"))
    };
    let out = match arg(0) {
        "graph" => {
            let graph = ExpressionGraph::new(arg(1), arg(2), arg(3), arg(4) == "true").unwrap();
            json!({
                "names": graph.names().lines().collect::<Vec<_>>(),
                "values": graph.values(),
                "gradients": graph.gradients(),
                "estimates": graph.estimates(),
            })
        }
        "softmax" => {
            let softmax = Softmax::new(arg(1), arg(2)).unwrap();
            json!({ "probabilities": softmax.probabilities(), "entropy": softmax.entropy(), "maxEntropy": softmax.max_entropy() })
        }
        "attention" => {
            let (model, tokenizer) = reference();
            let mut tokens = vec![tokenizer.bos()];
            tokens.extend(tokenizer.encode(arg(1)).unwrap());
            let maps = model.attention_maps(&tokens);
            json!({ "heads": maps[0] })
        }
        "paths" => {
            let paths =
                OptimizerPaths::new(arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7) == "true", arg(8))
                    .unwrap();
            json!({ "adam": paths.adam(), "descent": paths.descent(), "diverged": paths.diverged() })
        }
        "next" => {
            let (model, tokenizer) = reference();
            let mut engine = FusedEngine::new();
            engine.begin(model.params());
            let mut cache = model.kv_cache();
            let mut logits = model.forward(&mut engine, tokenizer.bos(), 0, &mut cache);
            for (i, token) in tokenizer.encode(arg(1)).unwrap().into_iter().enumerate() {
                logits = model.forward(&mut engine, token, i + 1, &mut cache);
            }
            let model_p = probabilities(&engine.values(&logits), Temperature::new(1.0).unwrap());
            let bigram = Bigram::new(None, "42", "1000").unwrap();
            json!({
                "characters": tokenizer.chars().iter().collect::<String>(),
                "model": model_p,
                "bigram": bigram.next_probabilities(arg(1)).unwrap(),
            })
        }
        other => panic!("unknown widget {other:?}: see the doc"),
    };
    println!("{out}");
}
