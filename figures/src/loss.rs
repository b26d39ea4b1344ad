//! `loss.svg`: the reference run's training curve and learning-rate schedule.

use super::style::{
    BLUE, ORANGE, SKY, Swatch, VERMILLION, WIDTH, Y_LABELS, font, legend, mesh, svg, thousands, write,
};
use super::{Run, SEED, WINDOW, moving_average};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The reference run's loss at every step (faint), its moving average over [`WINDOW`] steps (bold),
/// the loss of guessing uniformly, `ln(vocab_size)`, and below it the learning rate of each step.
pub fn loss_svg(run: &Run) -> String {
    let losses: Vec<f64> = run.steps.iter().map(|s| s.loss).collect();
    let smooth = moving_average(&losses, WINDOW);
    let vocab = run.model.config().vocab_size();
    let guess = microgpt::math::ln(vocab as f64);
    let steps = losses.len() as f64;
    let top = losses.iter().copied().fold(guess, f64::max);
    let bottom = losses.iter().copied().fold(guess, f64::min);
    let (lo, hi) = ((bottom * 2.0).floor() / 2.0, (top * 2.0).ceil() / 2.0);
    let last = smooth.last().copied().unwrap_or(guess);
    let peak_lr = run.steps.first().map_or(0.0, |s| s.learning_rate);
    let each_step = SKY.mix(0.55).stroke_width(1);
    let mean = BLUE.stroke_width(3);
    let baseline = VERMILLION.stroke_width(2);
    let entries = [
        (Swatch::Line(SKY.stroke_width(2)), "the loss of each step's name".to_string()),
        (
            Swatch::Line(mean),
            format!("mean over the last {WINDOW} steps: {last:.2} at step {}", losses.len()),
        ),
        (Swatch::Dashed(baseline), format!("guessing uniformly: ln {vocab} = {guess:.2}")),
    ];

    svg("loss.svg", (WIDTH, 690), |canvas| {
        let title = format!(
            "Training the reference model: {} steps, one name each, seed {SEED}",
            thousands(run.steps.len())
        );
        write(canvas, &title, (WIDTH as i32 / 2, 12), &font(20), HPos::Center, VPos::Top)?;
        legend(canvas, (Y_LABELS + 10, 46), 1, &entries)?;
        let (upper, lower) = canvas.margin(130, 0, 0, 0).split_vertically(360);

        let mut chart = ChartBuilder::on(&upper)
            .margin_right(24)
            .x_label_area_size(8)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d(0.0..steps, lo..hi)?;
        mesh(&mut chart)
            .x_labels(11)
            .y_labels(8)
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|v| format!("{v:.1}"))
            .y_desc("loss (nats)")
            .draw()?;
        chart.draw_series(LineSeries::new(
            losses.iter().enumerate().map(|(i, &l)| (i as f64 + 1.0, l)),
            each_step,
        ))?;
        chart.draw_series(DashedLineSeries::new([(0.0, guess), (steps, guess)], 9, 6, baseline))?;
        chart.draw_series(LineSeries::new(
            smooth.iter().enumerate().map(|(i, &l)| (i as f64 + 1.0, l)),
            mean,
        ))?;

        let mut chart = ChartBuilder::on(&lower)
            .margin_right(24)
            .margin_top(14)
            .x_label_area_size(56)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d(0.0..steps, 0.0..peak_lr * 1.1)?;
        mesh(&mut chart)
            .x_labels(11)
            .y_labels(3)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v}"))
            .x_desc("step")
            .y_desc("learning rate")
            .axis_desc_style(font(14))
            .draw()?;
        let lr = run.steps.iter().map(|s| (s.step as f64, s.learning_rate));
        chart.draw_series(LineSeries::new(lr, ORANGE.stroke_width(3)))?;
        Ok(())
    })
}
