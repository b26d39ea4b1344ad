//! The size arithmetic of a model, on generated shapes: `Config::new` accepts a shape exactly when
//! its counts are within the limits, computes them without overflow for any `usize`, lays the
//! matrices out back to back, and bounds what a document costs; and weights within
//! `WEIGHT_LIMIT` give finite logits.

use microgpt::engine::{Engine, ScalarEngine};
use microgpt::fused::FusedEngine;
use microgpt::loss::document_loss;
use microgpt::model::{Config, Gpt, MAX_ACTIVATIONS, MAX_PARAMS, WEIGHT_LIMIT};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// `cases` generated shapes, the same ones on every run: a failure in CI is one anyone can repeat.
fn fixed(cases: u32) -> ProptestConfig {
    ProptestConfig { rng_seed: RngSeed::Fixed(42), ..ProptestConfig::with_cases(cases) }
}

/// A size as a user might type one: small, medium, a power of two, or anything at all.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![0usize..8, 0usize..5000, (0u32..usize::BITS).prop_map(|k| 1usize << k), any::<usize>()]
}

/// The counts of a shape in exact arithmetic, or `None` if they do not fit in a `u128`.
fn exact_counts(v: usize, l: usize, e: usize, h: usize, b: usize) -> Option<(u128, u128)> {
    let [v, l, e, h, b] = [v, l, e, h, b].map(|x| x as u128);
    let params =
        (2 * v + b).checked_mul(e)?.checked_add(e.checked_mul(e)?.checked_mul(12)?.checked_mul(l)?)?;
    let attention = (2 * e + 4 * h).checked_mul(b)?.checked_mul(l)?;
    let activations = params.checked_add(2 * v)?.checked_add(attention)?.checked_mul(b)?;
    Some((params, activations))
}

/// A shape `Config::new` must accept if its counts allow: `n_embd` a multiple of `n_head`.
fn valid_shape() -> impl Strategy<Value = (usize, usize, usize, usize, usize)> {
    (1usize..5000, 1usize..64, 1usize..9, 1usize..200, 1usize..512)
        .prop_map(|(v, l, h, head_dim, b)| (v, l, h * head_dim, h, b))
}

proptest! {
    #![proptest_config(fixed(2000))]

    #[test]
    fn a_config_is_accepted_exactly_when_its_sizes_and_counts_are_within_the_limits(
        v in size(), l in size(), e in size(), h in size(), b in size(),
    ) {
        let counts = exact_counts(v, l, e, h, b);
        let within = counts.is_some_and(|(p, a)| p <= MAX_PARAMS as u128 && a <= MAX_ACTIVATIONS as u128);
        let shaped = [v, l, e, h, b].iter().all(|&x| x > 0) && e % h == 0;
        match Config::new(v, l, e, h, b) {
            Ok(config) => {
                prop_assert!(shaped && within);
                let (params, activations) = counts.unwrap();
                prop_assert_eq!(config.n_params() as u128, params);
                prop_assert_eq!(config.n_activations() as u128, activations);
            }
            Err(err) => {
                prop_assert!(!(shaped && within), "refused: {}", err);
                // One line, and short even for sizes of twenty digits.
                prop_assert!(err.to_string().len() < 160, "{}", err);
            }
        }
    }

    #[test]
    fn every_valid_shape_within_the_limits_is_accepted((v, l, e, h, b) in valid_shape()) {
        let (params, activations) = exact_counts(v, l, e, h, b).unwrap();
        let within = params <= MAX_PARAMS as u128 && activations <= MAX_ACTIVATIONS as u128;
        prop_assert_eq!(Config::new(v, l, e, h, b).is_ok(), within);
    }
}

proptest! {
    #![proptest_config(fixed(200))]

    #[test]
    fn the_layout_puts_every_matrix_right_after_the_previous_one(
        v in 1usize..40, l in 1usize..4, h in 1usize..5, head_dim in 1usize..6, b in 1usize..20,
    ) {
        let config = Config::new(v, l, h * head_dim, h, b).unwrap();
        let model = Gpt::from_params(config, vec![0.0; config.n_params()]).unwrap();
        let mut end = 0;
        for (name, m) in model.params().layout().matrices() {
            prop_assert_eq!(m.range().start, end, "{} does not follow the previous matrix", name);
            end = m.range().end;
        }
        prop_assert_eq!(end, config.n_params());
    }

    #[test]
    fn a_documents_graph_on_the_scalar_tape_has_fewer_than_four_edges_and_three_nodes_per_activation(
        v in 2usize..60, l in 1usize..4, h in 1usize..5, head_dim in 1usize..6, b in 1usize..20,
        seed in any::<u64>(),
    ) {
        let config = Config::new(v, l, h * head_dim, h, b).unwrap();
        let model = Gpt::init(config, &mut microgpt::rng::ChaCha::seed(seed));
        // The longest document the context holds: block_size positions.
        let tokens: Vec<usize> = (0..=b).map(|i| (i * 7 + seed as usize) % v).collect();
        let mut engine = ScalarEngine::new();
        engine.begin(model.params());
        document_loss(&model, &mut engine, &tokens);
        let activations = config.n_activations();
        // The ratios are largest in the smallest models, where the loss's own nodes weigh most: with
        // vocab_size 2 and everything else 1, 94 edges and 78 nodes for 27 activations.
        prop_assert!(engine.tape().edge_count() < 4 * activations, "{} edges", engine.tape().edge_count());
        prop_assert!(engine.tape().len() < 3 * activations, "{} nodes", engine.tape().len());
    }

    #[test]
    fn weights_at_the_limit_give_finite_logits_on_both_engines(
        v in 2usize..30, l in 1usize..4, h in 1usize..4, head_dim in 1usize..5, b in 1usize..8,
        signs in any::<u64>(),
    ) {
        let config = Config::new(v, l, h * head_dim, h, b).unwrap();
        // Every weight at ±WEIGHT_LIMIT, the signs from a pattern: the largest values a forward pass
        // can meet.
        let weights = (0..config.n_params())
            .map(|i| if (signs >> (i % 64)) & 1 == 1 { WEIGHT_LIMIT } else { -WEIGHT_LIMIT })
            .collect();
        let model = Gpt::from_params(config, weights).unwrap();
        prop_assert!(finite_logits(&model, &mut ScalarEngine::new()));
        prop_assert!(finite_logits(&model, &mut FusedEngine::new()));
    }
}

/// Whether the logits at every position of a full context are finite.
fn finite_logits<E: Engine>(model: &Gpt, engine: &mut E) -> bool {
    let config = model.config();
    engine.begin(model.params());
    let mut cache = model.kv_cache();
    (0..config.block_size()).all(|pos| {
        let logits = model.forward(engine, pos % config.vocab_size(), pos, &mut cache);
        engine.values(&logits).iter().all(|x| x.is_finite())
    })
}

#[test]
fn the_widest_model_at_the_weight_limit_still_has_finite_logits() {
    // n_embd 1180 is the widest single-layer model under MAX_PARAMS: the largest sums a forward
    // pass computes. All weights equal make every product of a row add up.
    let config = Config::new(27, 1, 1180, 4, 2).unwrap();
    let model = Gpt::from_params(config, vec![WEIGHT_LIMIT; config.n_params()]).unwrap();
    assert!(finite_logits(&model, &mut FusedEngine::new()));
}

#[test]
fn the_deepest_model_at_the_weight_limit_still_has_finite_logits() {
    // n_embd 1 leaves room for the most layers: every layer adds to the residual stream.
    let config = Config::new(2, 100_000, 1, 1, 2).unwrap();
    let model = Gpt::from_params(config, vec![WEIGHT_LIMIT; config.n_params()]).unwrap();
    assert!(finite_logits(&model, &mut FusedEngine::new()));
}

#[test]
fn a_weight_beyond_the_limit_is_refused_with_its_name() {
    let config = Config::reference(27).unwrap();
    let mut weights = vec![0.0; config.n_params()];
    weights[432 + 16 + 3] = 2.0 * WEIGHT_LIMIT; // wpe[1][3]
    let err = Gpt::from_params(config, weights).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the weight wpe[1][3] is 2e64: a weight must be a finite number of magnitude at most 1e64"
    );
}

#[test]
fn the_smallest_model_has_the_most_edges_per_activation_and_still_fewer_than_four() {
    // vocab_size 2 and everything else 1: the loss's own nodes weigh most against the model's.
    let config = Config::new(2, 1, 1, 1, 1).unwrap();
    let model = Gpt::init(config, &mut microgpt::rng::ChaCha::seed(0));
    let mut engine = ScalarEngine::new();
    engine.begin(model.params());
    document_loss(&model, &mut engine, &[1, 0]);
    let counts = (engine.tape().edge_count(), engine.tape().len(), config.n_activations());
    assert_eq!(counts, (94, 78, 27));
}
