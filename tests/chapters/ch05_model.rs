//! Chapter 5: the model's size, its named parameters, its initialisation, and the forward pass of
//! one token.
//!
//! The forward pass runs here on the fused engine of chapter 14, which brings its own `linear`,
//! `rms_norm` and attention: these tests check `Gpt::forward` alone, so they pass before attention
//! on the tape is written in chapter 6. Chapter 6's tests run the same forward pass on the scalar
//! tape and compare.

use crate::common::reference_model;
use microgpt::engine::Engine;
use microgpt::fused::FusedEngine;
use microgpt::math;
use microgpt::model::{Config, Gpt};
use microgpt::nn::RMS_NORM_EPS;
use microgpt::rng::{ChaCha, RandomSource};
use microgpt::tokenizer::Token;

/// The logits at every position as `model` reads `tokens`, on the fused engine.
fn logits(model: &Gpt, tokens: &[Token]) -> Vec<Vec<f64>> {
    let mut engine = FusedEngine::new();
    engine.begin(model.params());
    let mut cache = model.kv_cache();
    tokens
        .iter()
        .enumerate()
        .map(|(pos, &token)| {
            let logits = model.forward(&mut engine, token, pos, &mut cache);
            engine.values(&logits)
        })
        .collect()
}

/// Asserts that `got` is `want` to within `1e-12`, naming the first entry that is not.
#[track_caller]
fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: {} values, expected {}", got.len(), want.len());
    if let Some(i) = (0..got.len()).find(|&i| (got[i] - want[i]).abs() > 1e-12) {
        panic!("{what}: entry {i} is {}, expected {} (all of them: {got:?})", got[i], want[i]);
    }
}

// ---------------------------------------------------------------------------------------------
// Size and layout
// ---------------------------------------------------------------------------------------------

#[test]
fn the_reference_config_has_exactly_4192_parameters() {
    // (2·27 + 16)·16 = 1,120 for wte, lm_head and wpe, plus 12·16² = 3,072 for the one layer.
    let config = Config::reference(27).unwrap();
    assert_eq!((config.n_params(), Gpt::init(config, &mut ChaCha::seed(0)).params().len()), (4192, 4192));
}

#[test]
fn n_params_agrees_with_the_layout_for_several_configs() {
    // (vocab, layers, n_embd, heads, block), counted by hand with (2v + b)·e + l·12·e².
    let shapes =
        [(27, 1, 16, 4, 16), (6, 2, 8, 2, 8), (1, 1, 1, 1, 1), (50, 3, 12, 3, 32), (27, 4, 32, 8, 64)];
    let configs: Vec<Config> =
        shapes.iter().map(|&(v, l, e, h, b)| Config::new(v, l, e, h, b).unwrap()).collect();
    let formula: Vec<usize> = configs.iter().map(Config::n_params).collect();
    let laid_out: Vec<usize> =
        configs.iter().map(|&c| Gpt::init(c, &mut ChaCha::seed(0)).params().len()).collect();
    assert_eq!(formula, [4192, 1696, 15, 6768, 52928]);
    assert_eq!(laid_out, formula);
}

#[test]
fn the_matrices_are_laid_out_in_microgpt_order_with_their_shapes() {
    let model = reference_model();
    let layout: Vec<(&str, usize, usize)> = model
        .params()
        .layout()
        .matrices()
        .iter()
        .map(|(name, m)| (name.as_str(), m.rows(), m.cols()))
        .collect();
    assert_eq!(
        layout,
        [
            ("wte", 27, 16),
            ("wpe", 16, 16),
            ("lm_head", 27, 16),
            ("layer0.attn_wq", 16, 16),
            ("layer0.attn_wk", 16, 16),
            ("layer0.attn_wv", 16, 16),
            ("layer0.attn_wo", 16, 16),
            ("layer0.mlp_fc1", 64, 16),
            ("layer0.mlp_fc2", 16, 64),
        ]
    );
}

#[test]
fn init_draws_every_weight_from_gauss_0_0_08_in_layout_order() {
    // microgpt.py builds the matrices in layout order, each row by row, with random.gauss(0, 0.08):
    // so the flat parameter vector is exactly the first 4,192 draws.
    let mut rng = ChaCha::seed(42);
    let drawn: Vec<f64> = (0..4192).map(|_| rng.gauss(0.0, 0.08)).collect();
    assert_eq!(reference_model().params().data(), drawn);
}

// ---------------------------------------------------------------------------------------------
// The forward pass of one token
// ---------------------------------------------------------------------------------------------

#[test]
fn forward_returns_one_logit_per_token_of_the_vocabulary() {
    let logits = logits(&reference_model(), &[26]);
    assert_eq!(logits[0].len(), 27, "forward returns lm_head · x: one logit for each of the 27 tokens");
}

#[test]
fn forward_appends_one_key_and_one_value_per_position_to_the_cache() {
    let model = reference_model();
    let mut engine = FusedEngine::new();
    engine.begin(model.params());
    let mut cache = model.kv_cache();
    for (pos, token) in [26, 4, 12].into_iter().enumerate() {
        model.forward(&mut engine, token, pos, &mut cache);
        assert_eq!(cache.len(), pos + 1, "after reading position {pos}, the cache holds positions 0..={pos}");
    }
}

#[test]
fn with_the_blocks_zeroed_the_logits_are_lm_head_times_the_normalised_embeddings() {
    // With every weight of the block 0, attention and the MLP each add a vector of zeros to the
    // residual stream, so what is left is the embeddings and lm_head: for 'e' (4) at position 3,
    // logits = lm_head · rms_norm(wte[4] + wpe[3]).
    let mut model = reference_model();
    let (wte, wpe, lm_head) = (model.wte(), model.wpe(), model.lm_head());
    let block_start = model.layers()[0].attn_wq.range().start;
    model.params_mut().data_mut()[block_start..].fill(0.0);

    let params = model.params();
    let x: Vec<f64> = params.row(wte, 4).iter().zip(params.row(wpe, 3)).map(|(t, p)| t + p).collect();
    let mean_square = x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
    let scale = math::pow(mean_square + RMS_NORM_EPS, -0.5);
    let want: Vec<f64> =
        (0..27).map(|i| params.row(lm_head, i).iter().zip(&x).map(|(w, v)| w * v * scale).sum()).collect();
    let got = logits(&model, &[26, 0, 1, 4]);
    assert_close("the logits of 'e' at position 3, the block's weights all 0", &got[3], &want);
}

#[test]
fn the_untrained_reference_model_gives_the_pinned_logits_for_bos_then_e() {
    // Seed 42, as in the chapter's table; the first five logits at positions 0 and 1, as computed by
    // the book's crate. A mistake anywhere in the forward pass (a residual connection missed, a
    // normalisation in the wrong place, the MLP's relu forgotten) changes them.
    let got = logits(&reference_model(), &[26, 4]);
    assert_close("the first 5 logits of BOS at position 0", &got[0][..5], &BOS_AT_0);
    assert_close("the first 5 logits of 'e' at position 1, after BOS", &got[1][..5], &E_AT_1);
}

/// The first five logits of the untrained reference model (seed 42) for BOS at position 0.
const BOS_AT_0: [f64; 5] =
    [0.7487655681743585, -0.12996818468351762, -0.5792039283844218, 0.1534547020179587, 0.09415689213833908];
/// The same for 'e' at position 1, after BOS.
const E_AT_1: [f64; 5] =
    [0.2616650935841358, -0.4589053336399433, 0.48076852671844506, 0.6855916029672035, -0.1879823808954488];
