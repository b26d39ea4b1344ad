//! `pipeline.svg`: the whole pipeline on one picture, corpus to sampled name.

use super::style::{
    BLUE, GREEN, GREY, SKY, VERMILLION, WIDTH, arrow, fixed, node, svg, thousands, write_subtitle,
    write_title,
};
use super::{Run, SEED, prepared, sample_trace, trace_step};
use microgpt::data;
use microgpt::error::Result;
use microgpt::loss::positions;
use microgpt::math;
use microgpt::sample::Temperature;
use plotters::prelude::*;

/// The pipeline in two columns: down the left, step 1 of the reference run (the corpus, the first
/// training document and its token ids, the model's shape, the logits and the loss); up the right,
/// what follows (backward, Adam, the updated weights that the next step reads, the trained model
/// after every step, and the first name it samples). Every number is read from the crate.
pub fn pipeline_svg(run: &Run) -> Result<String> {
    let corpus = data::builtin_docs().len();
    let prep = prepared()?;
    let tokenizer = &prep.tokenizer;
    let first = &prep.docs[0];
    let first_name = tokenizer.decode(first);
    let ids: Vec<String> = first.iter().map(usize::to_string).collect();
    let config = run.model.config();
    let n_params = config.n_params();
    let predictions = positions(config.block_size(), first.len());
    let step1 = trace_step(1)?;
    assert_eq!(step1.report, run.steps[0], "step 1 traced is step 1 of the reference run");
    let moved =
        step1.before.data().iter().zip(step1.after.data()).map(|(b, a)| (a - b).abs()).fold(0.0, f64::max);
    let steps = run.steps.len();
    let last: Vec<f64> = run.steps[steps.saturating_sub(100)..].iter().map(|s| s.loss).collect();
    let last_mean = last.iter().sum::<f64>() / last.len() as f64;
    let trace = sample_trace(run)?;
    let sampled = run.tokenizer.decode(&trace.iter().map(|&(t, _)| t).collect::<Vec<_>>());
    let quote = |s: &str| format!("\u{201c}{s}\u{201d}");

    let (w, h) = (372, 84);
    let (lx, rx) = (206, 614);
    let row = |i: i32| 122 + i * 112;
    let height = row(4) + h / 2 + 28;
    let forward = (SKY.mix(0.18), BLUE);
    let back = (VERMILLION.mix(0.10), VERMILLION);
    let after = (GREEN.mix(0.12), GREEN);

    Ok(svg("pipeline.svg", (WIDTH, height as u32), |canvas| {
        let title = "The whole pipeline, with the numbers of the reference run";
        write_title(canvas, title)?;
        let subtitle =
            format!("down the left: step 1 of {}; up the right: the update, then sampling", thousands(steps));
        write_subtitle(canvas, &subtitle)?;

        // Arrows first, so the boxes sit on their ends.
        for i in 0..4 {
            arrow(canvas, vec![(lx, row(i) + h / 2), (lx, row(i + 1) - h / 2)], GREY)?;
            arrow(canvas, vec![(rx, row(i + 1) - h / 2), (rx, row(i) + h / 2)], GREY)?;
        }
        arrow(canvas, vec![(lx + w / 2, row(4)), (rx - w / 2, row(4))], GREY)?;
        arrow(canvas, vec![(rx - w / 2, row(2)), (lx + w / 2, row(2))], GREY)?;

        let left = [
            (
                "corpus".to_string(),
                vec![
                    format!("{} names, shuffled with seed {SEED}", thousands(corpus)),
                    format!("step 1 trains on the first: {}", quote(&first_name)),
                ],
            ),
            (
                "tokenizer".to_string(),
                vec![
                    format!(
                        "{} tokens: {} characters + BOS ({})",
                        config.vocab_size(),
                        tokenizer.chars().len(),
                        tokenizer.bos()
                    ),
                    format!("[{}]", ids.join(", ")),
                ],
            ),
            (
                format!("model: {} parameters", thousands(n_params)),
                vec![
                    format!(
                        "vocab {} · n_embd {} · n_head {}",
                        config.vocab_size(),
                        config.n_embd(),
                        config.n_head()
                    ),
                    format!("n_layer {} · block_size {}", config.n_layer(), config.block_size()),
                ],
            ),
            (
                "logits → softmax".to_string(),
                vec![
                    format!("{predictions} positions, {} logits at each", config.vocab_size()),
                    format!("→ {} probabilities for the next token", config.vocab_size()),
                ],
            ),
            (
                format!("loss at step 1: {}", fixed(run.steps[0].loss, 4)),
                vec![
                    "the mean of −ln p(the true next token)".to_string(),
                    format!(
                        "uniform guessing: ln {} = {}",
                        config.vocab_size(),
                        fixed(math::ln(config.vocab_size() as f64), 4)
                    ),
                ],
            ),
        ];
        for (i, (title, lines)) in left.iter().enumerate() {
            node(canvas, (lx, row(i as i32)), (w, h), forward, title, lines)?;
        }
        let right = [
            (
                format!("sampling at temperature {}", Temperature::default().get()),
                vec![
                    "BOS → a token at a time → BOS".to_string(),
                    format!("first name written: {}", quote(&sampled)),
                ],
                after,
            ),
            (
                format!("after {} steps, one name each", thousands(steps)),
                vec![format!("mean loss of the last {}: {}", last.len(), fixed(last_mean, 4))],
                after,
            ),
            (
                "updated weights".to_string(),
                vec![
                    format!("largest change at step 1: {}", fixed(moved, 4)),
                    "the next step reads them".to_string(),
                ],
                back,
            ),
            (
                "Adam".to_string(),
                vec![
                    format!("learning rate {} at step 1", run.steps[0].learning_rate),
                    format!("keeps m and v: {} numbers each", thousands(n_params)),
                ],
                back,
            ),
            (
                "backward".to_string(),
                vec![
                    format!("{} gradients, ∂loss/∂weight", thousands(step1.grads.len())),
                    "one for every parameter".to_string(),
                ],
                back,
            ),
        ];
        for (i, (title, lines, colours)) in right.iter().enumerate() {
            node(canvas, (rx, row(i as i32)), (w, h), *colours, title, lines)?;
        }
        Ok(())
    }))
}
