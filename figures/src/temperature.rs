//! `temperature.svg`: one next-token distribution of the trained model at several temperatures.

use super::style::{BLUE, WIDTH, Y_LABELS, bold, font, mesh, plot_rect, svg, write};
use super::{Run, TEMPERATURES, token_label};
use microgpt::engine::{Engine, ScalarEngine};
use microgpt::sample::{Temperature, probabilities};
use microgpt::tokenizer::Token;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The trained model's distribution of the first letter of a name (its logits after BOS) as
/// probabilities at each of [`TEMPERATURES`], one bar chart per temperature on a common scale.
pub fn temperature_svg(run: &Run) -> String {
    let model = &run.model;
    let mut engine = ScalarEngine::new();
    engine.begin(model.params());
    let logits = model.forward(&mut engine, run.tokenizer.bos(), 0, &mut model.kv_cache());
    let logits = engine.values(&logits);
    let distributions: Vec<(f64, Vec<f64>)> = TEMPERATURES
        .iter()
        .map(|&t| {
            let t = Temperature::new(t).expect("TEMPERATURES are finite and positive");
            (t.get(), probabilities(&logits, t))
        })
        .collect();
    let labels: Vec<String> = (0..logits.len()).map(|t| token_label(&run.tokenizer, t)).collect();
    let top = distributions.iter().flat_map(|(_, p)| p.iter().copied()).fold(0.0, f64::max);
    let y_max = (top * 10.0).ceil() / 10.0;
    // One slot per token, and an empty one between the letters and BOS so its label stands apart.
    let bos = run.tokenizer.bos();
    let slot = |t: Token| if t < bos { t } else { t + 1 };
    let slots = slot(bos) + 1;
    let slot_label = |i: usize| match i {
        i if i < bos => labels[i].clone(),
        i if i == slot(bos) => labels[bos].clone(),
        _ => String::new(),
    };
    let n = logits.len();

    let panel = 150;
    svg("temperature.svg", (WIDTH, 60 + panel * TEMPERATURES.len() as u32 + 10), |canvas| {
        let body = canvas.titled("The first letter of a name: probabilities by temperature", font(20))?;
        let body = body.margin(6, 0, 0, 0);
        let panels = body.split_evenly((TEMPERATURES.len(), 1));
        for (area, (t, p)) in panels.iter().zip(&distributions) {
            let mut chart = ChartBuilder::on(area)
                .margin_right(20)
                .margin_top(8)
                .x_label_area_size(30)
                .y_label_area_size(Y_LABELS)
                .build_cartesian_2d((0..slots).into_segmented(), 0.0..y_max)?;
            mesh(&mut chart)
                .disable_x_mesh()
                .x_labels(slots)
                .y_labels(3)
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => slot_label(*i),
                    _ => String::new(),
                })
                .y_label_formatter(&|v| format!("{v:.1}"))
                .y_desc("probability")
                .axis_desc_style(font(14))
                .draw()?;
            let bars = p.iter().enumerate().map(|(t, &pt)| {
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(slot(t)), 0.0), (SegmentValue::Exact(slot(t) + 1), pt)],
                    BLUE.mix(0.85).filled(),
                );
                bar.set_margin(0, 0, 3, 3);
                bar
            });
            chart.draw_series(bars)?;

            let mut ranked: Vec<usize> = (0..n).collect();
            ranked.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
            let likeliest: Vec<String> =
                ranked[..3].iter().map(|&i| format!("{} {:.0}%", labels[i], 100.0 * p[i])).collect();
            let note = match *t {
                // Dividing the logits by 1 leaves them as the model computed them.
                1.0 => " (the model as trained)",
                t if t == Temperature::default().get() => " (the default)",
                _ => "",
            };
            let (_, top_px, right_px, _) = plot_rect(&chart);
            let heading = format!("T = {t}{note}");
            write(canvas, &heading, (right_px - 10, top_px + 6), &bold(16), HPos::Right, VPos::Top)?;
            let likeliest = format!("likeliest: {}", likeliest.join(", "));
            write(canvas, &likeliest, (right_px - 10, top_px + 28), &font(16), HPos::Right, VPos::Top)?;
        }
        Ok(())
    })
}
