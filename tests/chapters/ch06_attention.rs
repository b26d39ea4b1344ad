//! Chapter 6: attention over the KV cache, on its own and inside the forward pass on the scalar
//! tape: what it computes, its gradient, and causality.

use crate::common::{doc, leaves, reference_model};
use crate::gradcheck::{check_on_tape, vector, weighted_sum};
use microgpt::engine::{Engine, ScalarEngine};
use microgpt::fused::FusedEngine;
use microgpt::math;
use microgpt::model::{Config, Gpt, KvCache};
use microgpt::nn;
use microgpt::rng::ChaCha;
use microgpt::tokenizer::Token;
use microgpt::value::{Tape, Var};

/// The logits at every position as the model reads `tokens` (the last token included), on a
/// graph that `engine` has already begun.
fn logits_of<E: Engine>(model: &Gpt, engine: &mut E, tokens: &[Token]) -> Vec<Vec<f64>> {
    let mut cache: KvCache<E::Vector> = model.kv_cache();
    tokens
        .iter()
        .enumerate()
        .map(|(pos, &token)| {
            let logits = model.forward(engine, token, pos, &mut cache);
            engine.values(&logits)
        })
        .collect()
}

/// The logits of `tokens` on a new engine.
fn fresh_logits<E: Engine + Default>(model: &Gpt, tokens: &[Token]) -> Vec<Vec<f64>> {
    let mut engine = E::default();
    engine.begin(model.params());
    logits_of(model, &mut engine, tokens)
}

/// The bit patterns of some rows of floats, so that `assert_eq!` means identical, not just equal
/// (it tells 0.0 from -0.0, and NaN equals itself).
fn bits(rows: &[Vec<f64>]) -> Vec<Vec<u64>> {
    rows.iter().map(|row| row.iter().map(|x| x.to_bits()).collect()).collect()
}

// ---------------------------------------------------------------------------------------------
// Attention on its own
// ---------------------------------------------------------------------------------------------

#[test]
fn attention_over_one_position_returns_its_value() {
    // With a single key, softmax gives weight 1 whatever the score.
    let mut t = Tape::new();
    let q = leaves(&mut t, &[0.1, 0.2, 0.3, 0.4]);
    let k = leaves(&mut t, &[1.0, -1.0, 2.0, 0.0]);
    let v = leaves(&mut t, &[5.0, 6.0, 7.0, 8.0]);
    let (out, weights) = nn::attention(&mut t, &q, &[k], &[v], 2);
    assert_eq!(t.values(&out), vec![5.0, 6.0, 7.0, 8.0], "the output over one cached position is its value");
    let weights: Vec<Vec<f64>> = weights.iter().map(|w| t.values(w)).collect();
    assert_eq!(weights, [[1.0], [1.0]], "the weights: one list per head, one weight per cached position");
}

#[test]
fn one_head_weighs_the_values_by_the_softmax_of_the_scaled_scores() {
    // The chapter's example: the query matches the first key best and the third least.
    let mut t = Tape::new();
    let q = leaves(&mut t, &[1.0, 0.0]);
    let keys = [leaves(&mut t, &[1.0, 0.0]), leaves(&mut t, &[0.0, 1.0]), leaves(&mut t, &[-1.0, 0.0])];
    let values = [leaves(&mut t, &[10.0, 0.0]), leaves(&mut t, &[0.0, 10.0]), leaves(&mut t, &[5.0, 5.0])];
    let (out, weights) = nn::attention(&mut t, &q, &keys, &values, 1);

    let scale = 1.0 / 2f64.sqrt(); // d = 2
    let a = math::softmax(&[scale, 0.0, -scale]); // q·k for each key (1, 0, -1), scaled
    let got = t.values(&weights[0]);
    let close = got.len() == 3 && got.iter().zip(&a).all(|(g, w)| (g - w).abs() < 1e-15);
    assert!(close, "weights {got:?}, expected softmax(q·kₜ / √2) = {a:?}");
    let want = [a[0] * 10.0 + a[2] * 5.0, a[1] * 10.0 + a[2] * 5.0];
    let out = t.values(&out);
    let close = out.len() == 2 && out.iter().zip(want).all(|(o, w)| (o - w).abs() < 1e-12);
    assert!(close, "output {out:?}, expected Σₜ aₜ vₜ = {want:?}");
}

#[test]
fn attention_matches_central_differences_in_query_keys_and_values() {
    // Two heads of width 2 over three cached positions: q, then 3 keys, then 3 values.
    let inputs = [
        vector("q", &[0.5, -0.3, 0.8, 0.1]),
        vector("k₀", &[0.2, 0.9, -0.4, 0.6]),
        vector("k₁", &[-0.7, 0.3, 0.5, -0.2]),
        vector("k₂", &[0.4, -0.8, 0.1, 0.7]),
        vector("v₀", &[1.1, -0.5, 0.3, 0.9]),
        vector("v₁", &[-0.6, 0.2, 1.4, -1.0]),
        vector("v₂", &[0.8, 0.7, -0.9, 0.4]),
    ]
    .concat();
    let agreement = check_on_tape("attention (two heads, three positions)", inputs, |t, x| {
        let q = &x[..4];
        let keys: Vec<Vec<Var>> = x[4..16].chunks(4).map(<[Var]>::to_vec).collect();
        let values: Vec<Vec<Var>> = x[16..].chunks(4).map(<[Var]>::to_vec).collect();
        let (out, _) = nn::attention(t, q, &keys, &values, 2);
        weighted_sum(t, &out)
    });
    assert!(agreement.holds(), "{agreement}");
}

// ---------------------------------------------------------------------------------------------
// Inside the forward pass
// ---------------------------------------------------------------------------------------------

#[test]
fn the_scalar_tape_computes_the_fused_engines_logits() {
    // The fused engine of chapter 14 has its own attention; with attention written on the tape, the
    // scalar engine runs the same forward pass to the same logits, for the reference model and for
    // one of two layers.
    let two_layers = Gpt::init(Config::new(27, 2, 16, 4, 16).unwrap(), &mut ChaCha::seed(7));
    for (name, model) in [("the reference model", reference_model()), ("a model of 2 layers", two_layers)] {
        let tokens = doc("sophia");
        let scalar = fresh_logits::<ScalarEngine>(&model, &tokens);
        let fused = fresh_logits::<FusedEngine>(&model, &tokens);
        for (pos, (s, f)) in scalar.iter().zip(&fused).enumerate() {
            let worst = s.iter().zip(f).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(
                worst < 1e-12,
                "{name} reading \"sophia\": at position {pos}, the scalar tape's logits differ from the fused engine's by up to {worst:e}"
            );
        }
    }
}

#[test]
fn logits_at_position_t_do_not_depend_on_tokens_after_t() {
    // "emma" and "emily" share [BOS, e, m]: the logits read at positions 0, 1 and 2 are identical.
    let model = reference_model();
    let emma = fresh_logits::<ScalarEngine>(&model, &doc("emma"));
    let emily = fresh_logits::<ScalarEngine>(&model, &doc("emily"));
    assert_eq!(
        bits(&emma[..3]),
        bits(&emily[..3]),
        "the logits of [BOS, e, m] must not depend on what follows"
    );
}

#[test]
fn logits_differ_from_the_first_position_whose_token_differs() {
    // The counterpart of the test above, so that it cannot pass because logits ignore the input.
    let model = reference_model();
    let emma = fresh_logits::<ScalarEngine>(&model, &doc("emma"));
    let emily = fresh_logits::<ScalarEngine>(&model, &doc("emily"));
    assert_ne!(emma[3], emily[3], "the logits after \"BOS e m m\" and after \"BOS e m i\"");
}

#[test]
fn logits_of_a_document_are_the_same_on_a_reused_engine_as_on_a_fresh_one() {
    let model = reference_model();
    let mut engine = ScalarEngine::new();
    engine.begin(model.params());
    logits_of(&model, &mut engine, &doc("sophia"));
    engine.begin(model.params());
    let reused = logits_of(&model, &mut engine, &doc("emma"));
    assert_eq!(bits(&reused), bits(&fresh_logits::<ScalarEngine>(&model, &doc("emma"))));
}

#[test]
fn logits_of_a_document_are_the_same_after_another_document_on_the_same_graph() {
    // One graph, two documents, each with its own KV cache: nothing passes between them.
    let model = reference_model();
    let mut engine = ScalarEngine::new();
    engine.begin(model.params());
    logits_of(&model, &mut engine, &doc("sophia"));
    let second = logits_of(&model, &mut engine, &doc("emma"));
    assert_eq!(bits(&second), bits(&fresh_logits::<ScalarEngine>(&model, &doc("emma"))));
}

#[test]
fn recorded_attention_starts_afresh_with_every_graph() {
    let model = reference_model();
    let mut reused = ScalarEngine::recording_attention();
    reused.begin(model.params());
    logits_of(&model, &mut reused, &doc("sophia"));
    reused.begin(model.params());
    logits_of(&model, &mut reused, &doc("emma"));
    let mut fresh = ScalarEngine::recording_attention();
    fresh.begin(model.params());
    logits_of(&model, &mut fresh, &doc("emma"));
    assert_eq!(reused.recorded_attention(), fresh.recorded_attention());
}

#[test]
fn attention_maps_are_causal_rows_that_sum_to_one() {
    let model = reference_model();
    let maps = model.attention_maps(&doc("emma")[..5]); // BOS e m m a
    let lengths: Vec<usize> = maps[0][0].iter().map(Vec::len).collect();
    assert_eq!(lengths, [1, 2, 3, 4, 5], "position t attends over the t + 1 cached positions 0..=t");
    for row in maps.iter().flatten().flatten() {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12, "attention weights {row:?} sum to 1");
    }
}
