//! `sampling_loop.svg`: the sampling loop, its two ways to stop, and a real name it wrote.

use super::style::{
    BLUE, GREY, LIGHT_GREY, ORANGE, SKY, VERMILLION, WIDTH, arrow, bold, fixed, font, node, svg, tag, write,
    write_subtitle, write_title,
};
use super::{Run, SEED, generator_after_prepare, token_label};
use microgpt::engine::Engine;
use microgpt::error::Result;
use microgpt::fused::FusedEngine;
use microgpt::rng::RandomSource;
use microgpt::sample::{Temperature, probabilities, sample};
use microgpt::tokenizer::Token;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The first name the trained model writes at the default temperature, with the generator as
/// [`generator_after_prepare`] leaves it (so chapter 1's first sample), step by step: each token drawn and the probability it had (the last token is BOS,
/// unless the context filled up first).
///
/// It is the loop of `microgpt::sample::sample`, written out to keep what `sample` throws away,
/// and checked to draw the same tokens.
pub fn sample_trace(run: &Run) -> Result<Vec<(Token, f64)>> {
    let model = &run.model;
    let t = Temperature::default();
    let bos = run.tokenizer.bos();
    let mut engine = FusedEngine::new();
    let mut rng = generator_after_prepare()?;
    engine.begin(model.params());
    let mut cache = model.kv_cache();
    let mut token = bos;
    let mut trace = Vec::new();
    for pos in 0..model.config().block_size() {
        let logits = model.forward(&mut engine, token, pos, &mut cache);
        let p = probabilities(&engine.values(&logits), t);
        token = rng.choice(&p);
        trace.push((token, p[token]));
        if token == bos {
            break;
        }
    }
    let sampled = sample(model, &mut FusedEngine::new(), t, &mut generator_after_prepare()?)?;
    let drawn: Vec<Token> = trace.iter().map(|&(t, _)| t).filter(|&t| t != bos).collect();
    assert_eq!(drawn, sampled, "the traced loop draws what sample draws");
    Ok(trace)
}

/// The loop of `sample` as a flow chart, with its two exits (the model draws BOS; the context is
/// full at `block_size`), and below it the trained model's first name, one row per step: the
/// position, the token read, the token drawn and its probability.
pub fn sampling_loop_svg(run: &Run) -> Result<String> {
    let trace = sample_trace(run)?;
    let config = run.model.config();
    let (vocab, block) = (config.vocab_size(), config.block_size());
    let t = Temperature::default().get();
    let bos = run.tokenizer.bos();
    let label = |token: Token| token_label(&run.tokenizer, token);
    let name: String = run.tokenizer.decode(&trace.iter().map(|&(t, _)| t).collect::<Vec<_>>());

    let (row_a, row_b, row_c) = (132, 286, 420);
    let table_top = 530;
    let pitch = 30;
    let height = table_top + 40 + pitch * trace.len() as i32 + 30;
    let plain = (WHITE.mix(1.0), BLUE);
    let question = (ORANGE.mix(0.15), ORANGE);
    let stop = (VERMILLION.mix(0.12), VERMILLION);

    Ok(svg("sampling_loop.svg", (WIDTH, height as u32), |canvas| {
        let title = "Sampling: one token per pass, until BOS or a full context";
        write_title(canvas, title)?;
        let subtitle = format!(
            "the trained reference model at temperature {t}, with the generator that seed {SEED} left after prepare"
        );
        write_subtitle(canvas, &subtitle)?;

        let (w, h) = (160, 84);
        let xs = [95, 300, 515, 725];
        let start = (xs[0], row_a);
        let forward = (xs[1], row_a);
        let softmax = (xs[2], row_a);
        let draw = (xs[3], row_a);
        let is_bos = (xs[3], row_b);
        let append = (xs[2], row_b);
        let full = (xs[1], row_b);
        let done = (xs[3], row_c);
        let cut = (xs[1], row_c);
        let right = |c: (i32, i32), wide: i32| (c.0 + wide / 2, c.1);
        let left = |c: (i32, i32), wide: i32| (c.0 - wide / 2, c.1);
        let above = |c: (i32, i32)| (c.0, c.1 - h / 2);
        let below = |c: (i32, i32)| (c.0, c.1 + h / 2);
        let soft_w = 190;
        arrow(canvas, vec![right(start, w), left(forward, w)], GREY)?;
        arrow(canvas, vec![right(forward, w), left(softmax, soft_w)], GREY)?;
        arrow(canvas, vec![right(softmax, soft_w), left(draw, w)], GREY)?;
        arrow(canvas, vec![below(draw), above(is_bos)], GREY)?;
        arrow(canvas, vec![left(is_bos, w), right(append, soft_w)], GREY)?;
        arrow(canvas, vec![left(append, soft_w), right(full, w)], GREY)?;
        arrow(canvas, vec![above(full), below(forward)], GREY)?;
        arrow(canvas, vec![below(is_bos), above(done)], GREY)?;
        arrow(canvas, vec![below(full), above(cut)], GREY)?;
        let tag_style = font(15).color(&GREY);
        let between = (is_bos.0 - w / 2 + append.0 + soft_w / 2) / 2;
        write(canvas, "no", (between, row_b - 8), &tag_style, HPos::Center, VPos::Bottom)?;
        tag(canvas, "no: next position", (full.0, (row_a + row_b) / 2), &tag_style, 15)?;
        tag(canvas, "yes", (is_bos.0, (row_b + row_c) / 2), &tag_style, 15)?;
        tag(canvas, "yes", (full.0, (row_b + row_c) / 2), &tag_style, 15)?;

        node(
            canvas,
            start,
            (w, h),
            (SKY.mix(0.18), BLUE),
            "start",
            &["read BOS at".into(), "position 0".into()],
        )?;
        node(canvas, forward, (w, h), plain, "forward", &[format!("{vocab} logits")])?;
        node(
            canvas,
            softmax,
            (soft_w, h),
            plain,
            "softmax(logits / T)",
            &[format!("{vocab} probabilities")],
        )?;
        node(canvas, draw, (w, h), plain, "draw a token", &["at random, by them".into()])?;
        node(canvas, is_bos, (w, h), question, "drew BOS?", &[])?;
        node(
            canvas,
            append,
            (soft_w, h),
            plain,
            "append it",
            &["read it at the next".into(), "position".into()],
        )?;
        node(
            canvas,
            full,
            (w, h),
            question,
            "context full?",
            &[format!("next position {block}"), "(block_size)".into()],
        )?;
        node(canvas, done, (w, h), stop, "stop", &["the name is done".into()])?;
        node(canvas, cut, (w, h), stop, "stop", &["the context is full".into()])?;

        let heading = format!("The first name it writes: \u{201c}{name}\u{201d}");
        write(canvas, &heading, (WIDTH as i32 / 2, table_top - 36), &bold(18), HPos::Center, VPos::Center)?;
        let cols = [150, 260, 370, 520];
        let heads = ["position", "reads", "draws", "its probability"];
        for (x, head) in cols.iter().zip(heads) {
            write(canvas, head, (*x, table_top), &font(16).color(&GREY), HPos::Center, VPos::Center)?;
        }
        let bar_left = 590;
        let bar_w = 190.0;
        let mut read = bos;
        for (pos, &(token, p)) in trace.iter().enumerate() {
            let y = table_top + 34 + pitch * pos as i32;
            let ends = token == bos;
            let style = if ends { bold(16).color(&VERMILLION) } else { font(16) };
            write(canvas, &pos.to_string(), (cols[0], y), &font(16), HPos::Center, VPos::Center)?;
            write(canvas, &label(read), (cols[1], y), &font(16), HPos::Center, VPos::Center)?;
            let drawn = if ends { "BOS: stop".to_string() } else { label(token) };
            write(canvas, &drawn, (cols[2], y), &style, HPos::Center, VPos::Center)?;
            write(canvas, &fixed(p, 3), (cols[3], y), &font(16), HPos::Center, VPos::Center)?;
            let bar = [(bar_left, y - 9), (bar_left + (p * bar_w).round() as i32, y + 9)];
            canvas.draw(&Rectangle::new(
                [(bar_left, y - 9), (bar_left + bar_w as i32, y + 9)],
                LIGHT_GREY.filled(),
            ))?;
            canvas.draw(&Rectangle::new(bar, if ends { VERMILLION.filled() } else { BLUE.filled() }))?;
            read = token;
        }
        Ok(())
    }))
}
