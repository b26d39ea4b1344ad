//! `efficiency.svg`: the measured speed of the two engines, and how a step's cost grows with the model.
//!
//! Timings are not reproducible: they change with the machine, and from run to run on the same one.
//! So this figure, unlike the others, is not drawn from a run made while drawing it. `examples/bench.rs`
//! measures, fills a [`Measurements`] and writes it as `chapters/measured/bench.json` (and the same
//! numbers as tables, `chapters/measured/bench.md`); the figure draws that committed file, so the
//! same file always draws the same bytes. To measure again, run [`REMEASURE`], then redraw the figures.

use super::style::{
    BLUE, Canvas, Drawn, GREY, ORANGE, PURPLE, SKY, Swatch, VERMILLION, WIDTH, Y_LABELS, font, group_digits,
    legend, mesh, panel_title, plot_rect, svg, text_width, thousands, write,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// The command that measures again: it rewrites the JSON the figure draws and the tables the book
/// shows.
pub const REMEASURE: &str =
    "cargo run --release --example bench -- --json chapters/measured/bench.json > chapters/measured/bench.md";

/// The measurements committed with the book, as written by `examples/bench.rs`.
const BENCH_JSON: &str = include_str!("../../chapters/measured/bench.json");

// ANCHOR: Measurements
/// Everything `examples/bench.rs` measures. Times are microseconds (µs), each step's best of
/// [`repeats`](Measurements::repeats) runs, summed over the steps.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Measurements {
    /// The command that measured, run from the crate's root (without `--json`, which only says where
    /// to write).
    pub command: String,
    /// The machine it ran on.
    pub machine: Machine,
    /// How many times each timing was repeated; each step's fastest time is kept, as the one least
    /// disturbed by the rest of the machine.
    pub repeats: usize,
    /// The run both engines were timed on.
    pub reference: Reference,
    /// The scalar tape ([`ScalarEngine`](microgpt::engine::ScalarEngine)) on the reference run.
    pub scalar: ScalarTiming,
    /// The fused engine ([`FusedEngine`](microgpt::fused::FusedEngine)) on the reference run.
    pub fused: FusedTiming,
    /// The fused engine on models of other sizes.
    pub scaling: Scaling,
}

/// The machine the measurements were made on.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Machine {
    /// The CPU model: the first `model name` in `/proc/cpuinfo` (`unknown` where there is none).
    pub cpu: String,
    /// How many CPUs the operating system offers the process. The bench uses one.
    pub cpus: usize,
}

/// The reference run: microgpt.py's model (n_layer 1, n_embd 16, block_size 16, 4 heads) trained on
/// the corpus from seed 42.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Reference {
    /// The documents in the corpus.
    pub documents: usize,
    /// The model's parameters.
    pub parameters: usize,
    /// The training steps, one document each.
    pub steps: usize,
    /// The positions (next-token predictions) of all the steps together.
    pub positions: usize,
}

/// The scalar tape on the reference run.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ScalarTiming {
    /// Training time per step, µs.
    pub us_per_step: f64,
    /// Nodes on the tape per step (one per arithmetic operation), the mean over the run.
    pub nodes_per_step: f64,
    /// Edges on the tape per step (one per operand), the mean over the run.
    pub edges_per_step: f64,
    /// The loss of the last step, in nats.
    pub final_loss: f64,
}

/// The fused engine on the reference run.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct FusedTiming {
    /// Training time per step, µs.
    pub us_per_step: f64,
    /// Vector operations recorded per step, the mean over the run.
    pub ops_per_step: f64,
    /// The loss of the last step, in nats: the scalar tape's, to the bit.
    pub final_loss: f64,
    /// Where a step's time goes, timed phase by phase in a run of its own.
    pub phases: Phases,
}

/// One fused training step, phase by phase, µs per step.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Phases {
    /// `begin`: copying the parameters into the engine's value buffer, µs.
    pub begin_us: f64,
    /// The forward pass and the loss, µs.
    pub forward_us: f64,
    /// `backward`: every gradient, µs.
    pub backward_us: f64,
    /// Adam's update of every parameter, µs.
    pub adam_us: f64,
}

/// The fused engine on models that differ from the reference in one size at a time.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Scaling {
    /// Training steps per timed run.
    pub steps: usize,
    /// n_embd = 16, 32, 64, 128; on the corpus's documents.
    pub by_n_embd: Vec<ScalingRow>,
    /// n_layer = 1, 2, 4; on the corpus's documents.
    pub by_n_layer: Vec<ScalingRow>,
    /// block_size = 16, 32, 64; on documents of about block_size characters (consecutive names
    /// joined by '.'), so that every position has something to attend over.
    pub by_block_size: Vec<ScalingRow>,
}

/// One model size, timed on the fused engine.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ScalingRow {
    /// Transformer blocks.
    pub n_layer: usize,
    /// Width of the residual stream.
    pub n_embd: usize,
    /// Longest context, in positions.
    pub block_size: usize,
    /// Positions (next-token predictions) per step, the mean over the run.
    pub positions_per_step: f64,
    /// Training time per step, µs.
    pub us_per_step: f64,
}
// ANCHOR_END: Measurements

impl Measurements {
    /// How many times faster the fused engine trains than the scalar tape.
    pub fn speed_up(&self) -> f64 {
        self.scalar.us_per_step / self.fused.us_per_step
    }
}

impl Phases {
    /// The four phases together, µs.
    pub fn total_us(&self) -> f64 {
        self.begin_us + self.forward_us + self.backward_us + self.adam_us
    }
}

impl ScalingRow {
    /// Training time per position, µs.
    pub fn us_per_position(&self) -> f64 {
        self.us_per_step / self.positions_per_step
    }
}

/// The committed measurements, `chapters/measured/bench.json`.
///
/// Panics if the file is not a [`Measurements`]: it is written by the bench, so that is a bug, or a
/// file left behind by an older bench.
pub fn measured() -> Measurements {
    serde_json::from_str(BENCH_JSON)
        .unwrap_or_else(|e| panic!("chapters/measured/bench.json: {e}; measure again with `{REMEASURE}`"))
}

// ANCHOR: efficiency_svg
/// The measured time of a training step: on top, the reference run on each engine, the fused step
/// split into its phases; below, µs per position as n_embd grows (log-log, beside an `∝ n_embd²`
/// guide) and as the context grows (beside a line of constant cost per position).
pub fn efficiency_svg(m: &Measurements) -> String {
    let height = 860;
    svg("efficiency.svg", (WIDTH, height), |canvas| {
        let centre = WIDTH as i32 / 2;
        let title = "Time per training step, measured on one machine";
        write(canvas, title, (centre, 12), &font(20), HPos::Center, VPos::Top)?;
        let command = format!("{}, each step's best of {} runs,", m.command, m.repeats);
        write(canvas, &command, (centre, 44), &font(16), HPos::Center, VPos::Top)?;
        let machine = format!("on {} ({} CPUs): other runs give other digits", m.machine.cpu, m.machine.cpus);
        write(canvas, &machine, (centre, 66), &font(16), HPos::Center, VPos::Top)?;

        let footnotes = [
            format!(
                "Below, one size of the reference model changes at a time, {} steps each. The right panel's",
                thousands(m.scaling.steps)
            ),
            "documents are names joined by \u{2018}.\u{2019}, up to block_size characters, to fill the longer contexts."
                .to_string(),
            layers_note(&m.scaling.by_n_layer),
        ];
        for (i, note) in footnotes.iter().enumerate() {
            let at = (centre, height as i32 - 12 - 22 * (footnotes.len() - 1 - i) as i32);
            write(canvas, note, at, &font(14), HPos::Center, VPos::Bottom)?;
        }

        let body = canvas.margin(100, 80, 0, 0);
        let (top, bottom) = body.split_vertically(284);
        engines(canvas, &top, m)?;
        let (left, right) = bottom.split_horizontally(WIDTH / 2);
        by_n_embd(canvas, &left, &m.scaling.by_n_embd)?;
        by_block_size(canvas, &right, &m.scaling.by_block_size)?;
        Ok(())
    })
}
// ANCHOR_END: efficiency_svg

/// The reference run on each engine: one bar per engine, the fused one split into its phases.
fn engines(canvas: &Canvas, area: &Canvas, m: &Measurements) -> Drawn {
    let Measurements { scalar, fused, reference, .. } = m;
    let p = &fused.phases;
    let x_max = (scalar.us_per_step * 1.2 / 20.0).ceil() * 20.0;
    let mut chart = ChartBuilder::on(area)
        .margin_top(34)
        .margin_right(24)
        .margin_bottom(60)
        .x_label_area_size(50)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(0.0..x_max, 0.0..1.0)?;
    mesh(&mut chart)
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(8)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|_| String::new())
        .x_desc("µs per training step")
        .draw()?;
    let positions = reference.positions as f64 / reference.steps as f64;
    let title = format!(
        "the reference run: {} parameters, {positions:.1} positions per step",
        grouped(reference.parameters as f64)
    );
    panel_title(canvas, &chart, &title)?;

    let (left, top, _, bottom) = plot_rect(&chart);
    let x = |us: f64| chart.backend_coord(&(us, 0.0)).0;
    let (row, bar) = (64, 26);
    let phases = [
        (PURPLE, "begin", p.begin_us),
        (SKY, "forward", p.forward_us),
        (BLUE, "backward", p.backward_us),
        (ORANGE, "Adam", p.adam_us),
    ];
    let rows = [
        (
            format!(
                "scalar tape: {} nodes and {} edges per step",
                grouped(scalar.nodes_per_step),
                grouped(scalar.edges_per_step)
            ),
            vec![(VERMILLION, scalar.us_per_step)],
            format!("{:.1} µs", scalar.us_per_step),
        ),
        (
            format!("fused engine: {} vector operations per step", grouped(fused.ops_per_step)),
            phases.iter().map(|&(colour, _, us)| (colour, us)).collect(),
            format!("{:.1} µs: {:.1}× faster", fused.us_per_step, m.speed_up()),
        ),
    ];
    for (i, (label, segments, value)) in rows.iter().enumerate() {
        let y = top + 12 + row * i as i32;
        write(canvas, label, (left + 4, y), &font(16), HPos::Left, VPos::Top)?;
        let (bar_top, bar_bottom) = (y + 24, y + 24 + bar);
        let mut from = 0.0;
        for &(colour, us) in segments {
            let corners = [(x(from), bar_top), (x(from + us), bar_bottom)];
            canvas.draw(&Rectangle::new(corners, colour.filled()))?;
            from += us;
        }
        let at = (x(from) + 8, (bar_top + bar_bottom) / 2);
        write(canvas, value, at, &font(16), HPos::Left, VPos::Center)?;
    }

    // The key to the fused bar's colours, below the axis.
    let mut at = (left, bottom + 62);
    for (colour, name, us) in phases {
        let square = [(at.0, at.1 - 7), (at.0 + 14, at.1 + 7)];
        canvas.draw(&Rectangle::new(square, colour.filled()))?;
        let label = format!("{name} {us:.2}");
        write(canvas, &label, (at.0 + 20, at.1), &font(16), HPos::Left, VPos::Center)?;
        at.0 += 20 + text_width(&label, 16) + 14;
    }
    let sum = format!("= {:.2} µs", p.total_us());
    write(canvas, &sum, at, &font(16), HPos::Left, VPos::Center)?;
    let note = "the fused step's phases, timed in a run of their own with a clock read between them";
    write(canvas, note, (left, at.1 + 26), &font(14), HPos::Left, VPos::Center)?;
    Ok(())
}

/// µs per position against n_embd, log-log, with a line `∝ n_embd²` through the widest model.
fn by_n_embd(canvas: &Canvas, area: &Canvas, rows: &[ScalingRow]) -> Drawn {
    let points: Vec<(f64, f64)> = rows.iter().map(|r| (r.n_embd as f64, r.us_per_position())).collect();
    let (narrowest, _) = points.first().copied().expect("the bench measures several widths");
    let (widest, cost) = points.last().copied().expect("the bench measures several widths");
    let quadratic = |n: f64| cost * (n / widest) * (n / widest);
    let (x_lo, x_hi) = (narrowest / 1.3, widest * 1.3);
    let y_lo = points.iter().map(|p| p.1).fold(quadratic(x_lo), f64::min) / 1.3;
    let y_hi = cost * 1.6;
    let x_keys: Vec<f64> = points.iter().map(|p| p.0).collect();
    let y_keys: Vec<f64> = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0]
        .into_iter()
        .filter(|y| (y_lo..=y_hi).contains(y))
        .collect();

    let measured = BLUE.stroke_width(2);
    let guide = GREY.stroke_width(2);
    let entries = [
        (Swatch::Line(measured), "measured".to_string()),
        (Swatch::Dashed(guide), format!("∝ n_embd², through n_embd {widest}")),
    ];
    let mut chart = ChartBuilder::on(area)
        .margin_top(96)
        .margin_right(20)
        .x_label_area_size(50)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(
            (x_lo..x_hi).log_scale().with_key_points(x_keys),
            (y_lo..y_hi).log_scale().with_key_points(y_keys),
        )?;
    mesh(&mut chart)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("n_embd (log scale)")
        .y_desc("µs per position (log scale)")
        .draw()?;
    let title = format!("wider: n_embd {narrowest} → {widest}");
    heading(canvas, &chart, &title, &entries)?;
    chart.draw_series(DashedLineSeries::new(
        [(x_lo, quadratic(x_lo)), (x_hi, quadratic(x_hi))],
        7,
        5,
        guide,
    ))?;
    chart.draw_series(LineSeries::new(points.iter().copied(), measured))?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, BLUE.filled())))?;
    for &(n, us) in &points {
        let (px, py) = chart.backend_coord(&(n, us));
        write(canvas, &format!("{us:.1}"), (px - 6, py - 6), &font(14), HPos::Right, VPos::Bottom)?;
    }
    Ok(())
}

/// µs per position against positions per step, with the line every point would lie on if each
/// position cost as much as at the shortest context.
fn by_block_size(canvas: &Canvas, area: &Canvas, rows: &[ScalingRow]) -> Drawn {
    let shortest = rows.first().expect("the bench measures several block sizes");
    let longest = rows.last().expect("the bench measures several block sizes");
    let first = shortest.us_per_position();
    let points: Vec<(f64, f64)> = rows.iter().map(|r| (r.positions_per_step, r.us_per_position())).collect();
    let x_hi = (points.iter().map(|p| p.0).fold(0.0, f64::max) * 1.15 / 10.0).ceil() * 10.0;
    let y_hi = (points.iter().map(|p| p.1).fold(0.0, f64::max) * 1.25).ceil();

    let measured = BLUE.stroke_width(2);
    let guide = GREY.stroke_width(2);
    let entries = [
        (Swatch::Line(measured), "measured, labelled by block_size".to_string()),
        (Swatch::Dashed(guide), "if every position cost the same".to_string()),
    ];
    let mut chart = ChartBuilder::on(area)
        .margin_top(96)
        .margin_right(24)
        .x_label_area_size(50)
        .y_label_area_size(Y_LABELS)
        .build_cartesian_2d(0.0..x_hi, 0.0..y_hi)?;
    mesh(&mut chart)
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("positions per step")
        .y_desc("µs per position")
        .draw()?;
    let title = format!("longer: block_size {} → {}", shortest.block_size, longest.block_size);
    heading(canvas, &chart, &title, &entries)?;
    chart.draw_series(DashedLineSeries::new([(0.0, first), (x_hi, first)], 7, 5, guide))?;
    chart.draw_series(LineSeries::new(points.iter().copied(), measured))?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, BLUE.filled())))?;
    for (row, &p) in rows.iter().zip(&points) {
        let (px, py) = chart.backend_coord(&p);
        write(canvas, &row.block_size.to_string(), (px, py - 10), &font(14), HPos::Center, VPos::Bottom)?;
    }
    Ok(())
}

/// A lower panel's title and, below it, its legend: both above the plotting area, in the 96 pixels
/// its chart leaves at the top.
fn heading<X: Ranged, Y: Ranged>(
    canvas: &Canvas,
    chart: &ChartContext<SVGBackend, Cartesian2d<X, Y>>,
    title: &str,
    entries: &[(Swatch, String)],
) -> Drawn {
    let (left, top, right, _) = plot_rect(chart);
    write(canvas, title, ((left + right) / 2, top - 92), &font(16), HPos::Center, VPos::Top)?;
    legend(canvas, (left - Y_LABELS + 16, top - 66), 1, entries)
}

/// The footnote on the n_layer rows, too few for a panel of their own: their times, and what each
/// added layer cost.
fn layers_note(rows: &[ScalingRow]) -> String {
    let layers: Vec<String> = rows.iter().map(|r| r.n_layer.to_string()).collect();
    let times: Vec<String> = rows.iter().map(|r| format!("{:.1}", r.us_per_step)).collect();
    let per_layer: Vec<String> = rows
        .windows(2)
        .map(|w| {
            format!("+{:.1}", (w[1].us_per_step - w[0].us_per_step) / (w[1].n_layer - w[0].n_layer) as f64)
        })
        .collect();
    format!(
        "Deeper: n_layer {} take {} µs per step, {} µs per added layer.",
        layers.join(", "),
        times.join(", "),
        per_layer.join(", then ")
    )
}

/// `x` rounded to a whole number, with a comma between thousands.
fn grouped(x: f64) -> String {
    group_digits(&format!("{:.0}", x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_measurements_parse() {
        assert!(!measured().scaling.by_n_embd.is_empty());
    }

    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!([grouped(131.2), grouped(8120.0), grouped(57369.4)], ["131", "8,120", "57,369"]);
    }
}
