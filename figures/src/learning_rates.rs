//! `learning_rates.svg`: the reference run at several learning rates.

use super::style::{
    BLUE, GREEN, GREY, ORANGE, PURPLE, Swatch, VERMILLION, WIDTH, Y_LABELS, font, legend, mesh, plot_rect,
    svg, thousands, write,
};
use super::{LEARNING_RATES, SEED, WINDOW, moving_average};
use microgpt::data;
use microgpt::error::{Error, Result};
use microgpt::fused::FusedEngine;
use microgpt::math;
use microgpt::model::Config;
use microgpt::optim::{AdamConfig, LearningRate};
use microgpt::rng::ChaCha;
use microgpt::tokenizer::Tokenizer;
use microgpt::train::{TrainOptions, prepare, train};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The reference run repeated at each of [`LEARNING_RATES`] (same seed, so the same initial weights
/// and the same names in the same order): the moving average of the loss over [`WINDOW`] steps.
pub fn learning_rates_svg() -> Result<String> {
    let mut curves = Vec::with_capacity(LEARNING_RATES.len());
    for lr in LEARNING_RATES {
        let adam = AdamConfig::default().with_learning_rate(LearningRate::new(lr)?);
        let (losses, diverged) = losses_until_divergence(&TrainOptions { adam, ..TrainOptions::default() })?;
        curves.push((lr, moving_average(&losses, WINDOW), diverged));
    }
    let vocab = Tokenizer::from_docs(&data::builtin_docs())?.vocab_size();
    let guess = math::ln(vocab as f64);
    let steps = TrainOptions::default().steps as f64;
    let all = || curves.iter().flat_map(|c| c.1.iter().copied());
    let lo = (all().fold(guess, f64::min) * 10.0).floor() / 10.0;
    // Up to half a nat above guessing: a curve that climbs higher than that has already failed, and
    // showing all of it would squeeze the others into a sliver.
    let hi = ((guess + 0.5) * 2.0).ceil() / 2.0;
    let reference = TrainOptions::default().adam.learning_rate().get();
    let colours = [VERMILLION, ORANGE, BLUE, GREEN, PURPLE];
    let styles: Vec<ShapeStyle> = curves
        .iter()
        .zip(colours)
        .map(|((lr, ..), colour)| colour.stroke_width(if *lr == reference { 4 } else { 2 }))
        .collect();
    let baseline = GREY.stroke_width(2);
    let mut entries: Vec<(Swatch, String)> = curves
        .iter()
        .zip(&styles)
        .map(|((lr, curve, diverged), style)| {
            let last = curve.last().copied().unwrap_or(guess);
            let note = if *lr == reference { " (reference)" } else { "" };
            let end = match diverged {
                Some(step) => format!("infinite loss at step {step}"),
                None => format!("{last:.2}"),
            };
            (Swatch::Line(*style), format!("{lr} → {end}{note}"))
        })
        .collect();
    entries.push((Swatch::Dashed(baseline), format!("guessing: ln {vocab} = {guess:.2}")));

    Ok(svg("learning_rates.svg", (WIDTH, 606), |canvas| {
        let title = format!(
            "The reference run at {} learning rates ({} steps each, seed {SEED})",
            curves.len(),
            thousands(steps as usize)
        );
        write(canvas, &title, (WIDTH as i32 / 2, 12), &font(20), HPos::Center, VPos::Top)?;
        let key = format!("learning rate → mean loss of the last {WINDOW} steps, at the end:");
        write(canvas, &key, (Y_LABELS + 10, 48), &font(16), HPos::Left, VPos::Top)?;
        legend(canvas, (Y_LABELS + 10, 72), 2, &entries)?;
        let body = canvas.margin(162, 0, 0, 0);
        let mut chart = ChartBuilder::on(&body)
            .margin_right(24)
            .x_label_area_size(56)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d(0.0..steps, lo..hi)?;
        mesh(&mut chart)
            .x_labels(11)
            .y_labels(8)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .x_desc("step")
            .y_desc(format!("loss, mean of the last {WINDOW} steps"))
            .draw()?;
        chart.draw_series(DashedLineSeries::new([(0.0, guess), (steps, guess)], 9, 6, baseline))?;
        let (_, top_px, right_px, _) = plot_rect(&chart);
        let mut above = Vec::new();
        for ((lr, curve, _), style) in curves.iter().zip(&styles) {
            let points: Vec<(f64, f64)> =
                curve.iter().enumerate().map(|(i, &l)| (i as f64 + 1.0, l)).collect();
            for part in below(&points, hi) {
                chart.draw_series(LineSeries::new(part, *style))?;
            }
            let (step, peak) =
                points.iter().copied().fold((0.0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
            if peak > hi {
                above.push(format!("{lr} leaves the chart: up to {peak:.1} at step {step}"));
            }
        }
        for (i, note) in above.iter().enumerate() {
            let at = (right_px - 10, top_px + 8 + 22 * i as i32);
            write(canvas, note, at, &font(16), HPos::Right, VPos::Top)?;
        }
        Ok(())
    }))
}

/// The loss of every step of the reference run with `options`; a run whose loss stops being finite
/// ends there, and the step is returned with the losses before it.
fn losses_until_divergence(options: &TrainOptions) -> Result<(Vec<f64>, Option<usize>)> {
    let mut run = prepare(data::builtin_docs(), &mut ChaCha::seed(SEED), Config::reference)?;
    let mut losses = Vec::with_capacity(options.steps);
    match train(&mut run.model, &mut FusedEngine::new(), &run.docs, options, |r| losses.push(r.loss)) {
        Ok(_) => Ok((losses, None)),
        Err(Error::NonFiniteLoss { step, .. }) => Ok((losses, Some(step))),
        Err(e) => Err(e),
    }
}

/// The parts of a line that lie at or below `hi`, cut where it crosses `hi` (plotters would
/// flatten the rest onto the chart's top edge).
fn below(points: &[(f64, f64)], hi: f64) -> Vec<Vec<(f64, f64)>> {
    let crossing = |p: (f64, f64), q: (f64, f64)| (p.0 + (hi - p.1) / (q.1 - p.1) * (q.0 - p.0), hi);
    let mut parts: Vec<Vec<(f64, f64)>> = Vec::new();
    for (i, &q) in points.iter().enumerate() {
        let p = i.checked_sub(1).map(|j| points[j]);
        match (p, q.1 <= hi) {
            (Some(p), true) if p.1 <= hi => parts.last_mut().expect("p started a part").push(q),
            (Some(p), true) => parts.push(vec![crossing(p, q), q]),
            (None, true) => parts.push(vec![q]),
            (Some(p), false) if p.1 <= hi => parts.last_mut().expect("p started a part").push(crossing(p, q)),
            _ => {}
        }
    }
    parts
}
