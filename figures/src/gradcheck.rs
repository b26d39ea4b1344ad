//! `gradcheck.svg`: backward's gradients against central differences.

use super::style::{BLUE, GREY, VERMILLION, WIDTH, Y_LABELS, font, mesh, panel_title, svg, thousands, write};
use super::{GRADCHECK_STEP, NAME, Run};
use microgpt::engine::{Engine, ScalarEngine};
use microgpt::error::Result;
use microgpt::loss::document_loss;
use microgpt::math;
use microgpt::model::Gpt;
use microgpt::tokenizer::Token;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::BTreeSet;

/// For every parameter, the derivative of the loss of `tokens` by backward and by central
/// differences `(L(p + h) - L(p - h)) / 2h`.
fn gradient_check(model: &Gpt, tokens: &[Token], h: f64) -> (Vec<f64>, Vec<f64>) {
    let mut engine = ScalarEngine::new();
    engine.begin(model.params());
    let loss = document_loss(model, &mut engine, tokens);
    let mut analytic = model.params().zeros_like();
    engine.backward(loss, &mut analytic);

    let mut nudged = model.clone();
    let mut loss_at = |nudged: &Gpt| {
        engine.begin(nudged.params());
        let loss = document_loss(nudged, &mut engine, tokens);
        engine.value(loss)
    };
    let numerical = (0..model.params().len())
        .map(|i| {
            let p = model.params().data()[i];
            nudged.params_mut().data_mut()[i] = p + h;
            let above = loss_at(&nudged);
            nudged.params_mut().data_mut()[i] = p - h;
            let below = loss_at(&nudged);
            nudged.params_mut().data_mut()[i] = p;
            (above - below) / (2.0 * h)
        })
        .collect();
    (analytic.data().to_vec(), numerical)
}

/// Backward's gradient of the loss of [`NAME`] against central differences, for every parameter of
/// the trained reference model: magnitudes on a log-log diagonal, and each difference beside it.
pub fn gradcheck_svg(run: &Run) -> Result<String> {
    let tokens = run.tokenizer.encode_doc(NAME)?;
    let (analytic, numerical) = gradient_check(&run.model, &tokens, GRADCHECK_STEP);
    let pairs: Vec<(f64, f64)> = analytic
        .iter()
        .zip(&numerical)
        .map(|(&a, &n)| (a, n))
        .filter(|&(a, n)| a != 0.0 || n != 0.0)
        .collect();
    let zeros = analytic.len() - pairs.len();
    let worst_abs = pairs.iter().map(|(a, n)| (a - n).abs()).fold(0.0, f64::max);
    let worst_rel = pairs.iter().map(|(a, n)| (a - n).abs() / a.abs().max(n.abs())).fold(0.0, f64::max);
    let same_sign = pairs.iter().filter(|(a, n)| a.signum() == n.signum()).count();

    let decade_below = |x: f64| math::pow(10.0, math::log10(x).floor());
    let decade_above = |x: f64| math::pow(10.0, math::log10(x).ceil());
    let smallest = pairs.iter().map(|(a, n)| a.abs().min(n.abs())).fold(f64::INFINITY, f64::min);
    let largest = pairs.iter().map(|(a, n)| a.abs().max(n.abs())).fold(0.0, f64::max);
    let (g_lo, g_hi) = (decade_below(smallest), decade_above(largest));
    let diffs: Vec<f64> = pairs.iter().map(|(a, n)| (a - n).abs()).filter(|&d| d > 0.0).collect();
    let d_lo = decade_below(diffs.iter().copied().fold(f64::INFINITY, f64::min));
    let d_hi = decade_above(worst_abs);

    let agree = if same_sign == pairs.len() {
        format!("All {} have", thousands(pairs.len()))
    } else {
        format!("{} of {} have", thousands(same_sign), thousands(pairs.len()))
    };
    let footnotes = [
        format!("{agree} the same sign both ways. Largest relative difference {worst_rel:.1e}."),
        format!(
            "Not drawn: {} parameters whose gradient is exactly 0 both ways: the embeddings of",
            thousands(zeros)
        ),
        format!(
            "letters and positions \u{201c}{NAME}\u{201d} lacks, and MLP weights of units that ReLU keeps off."
        ),
    ];
    let height = 560;

    Ok(svg("gradcheck.svg", (WIDTH, height), |canvas| {
        let title =
            format!("Backward against central differences, for all {} parameters", thousands(analytic.len()));
        write(canvas, &title, (WIDTH as i32 / 2, 12), &font(20), HPos::Center, VPos::Top)?;
        let subtitle = format!(
            "the gradient of the loss of \u{201c}{NAME}\u{201d} in the trained model; h = {GRADCHECK_STEP:e}"
        );
        write(canvas, &subtitle, (WIDTH as i32 / 2, 42), &font(16), HPos::Center, VPos::Top)?;
        for (i, note) in footnotes.iter().enumerate() {
            let at = (WIDTH as i32 / 2, height as i32 - 56 + 22 * i as i32);
            write(canvas, note, at, &font(14), HPos::Center, VPos::Bottom)?;
        }
        let body = canvas.margin(76, 80, 0, 0);
        let (left, right) = body.split_horizontally(WIDTH / 2);
        let dot = |colour: RGBColor| colour.mix(0.6).filled();
        // Thousands of points fall within a pixel or two of each other; drawing one point of each
        // 3×3 pixel block looks the same (a dot is 6 pixels across) and keeps the file small.
        let thin = |seen: &mut BTreeSet<(i32, i32)>, (x, y): (i32, i32)| seen.insert((x / 3, y / 3));

        let left = left.margin(30, 0, 0, 0);
        let mut chart = ChartBuilder::on(&left)
            .margin_right(16)
            .x_label_area_size(52)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d((g_lo..g_hi).log_scale(), (g_lo..g_hi).log_scale())?;
        mesh(&mut chart)
            .x_labels(4)
            .y_labels(4)
            .x_label_formatter(&|v| format!("{v:.0e}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .x_desc("|analytic| (backward)")
            .y_desc("|numerical| (differences)")
            .draw()?;
        chart.draw_series(LineSeries::new([(g_lo, g_lo), (g_hi, g_hi)], GREY.stroke_width(1)))?;
        let mut seen = BTreeSet::new();
        let points: Vec<(f64, f64)> = pairs
            .iter()
            .map(|(a, n)| (a.abs(), n.abs()))
            .filter(|p| thin(&mut seen, chart.backend_coord(p)))
            .collect();
        chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, dot(BLUE))))?;
        let on_the_diagonal = format!("{} non-zero gradients", thousands(pairs.len()));
        panel_title(canvas, &chart, &on_the_diagonal)?;

        let right = right.margin(30, 0, 0, 0);
        let mut chart = ChartBuilder::on(&right)
            .margin_right(20)
            .x_label_area_size(52)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d((g_lo..g_hi).log_scale(), (d_lo..d_hi).log_scale())?;
        mesh(&mut chart)
            .x_labels(4)
            .y_labels(5)
            .x_label_formatter(&|v| format!("{v:.0e}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .x_desc("|analytic|")
            .y_desc("|analytic − numerical|")
            .draw()?;
        let mut seen = BTreeSet::new();
        let points: Vec<(f64, f64)> = pairs
            .iter()
            // A difference of exactly 0 goes on the bottom edge rather than off a log scale.
            .map(|(a, n)| (a.abs(), (a - n).abs().max(d_lo)))
            .filter(|p| thin(&mut seen, chart.backend_coord(p)))
            .collect();
        chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, dot(VERMILLION))))?;
        panel_title(canvas, &chart, &format!("differences: at most {worst_abs:.1e}"))?;
        Ok(())
    }))
}
