//! `adam_state.svg`: Adam's state beside the weights it updates.

use super::Traced;
use super::style::{
    BLUE, GREY, LIGHT_GREY, ORANGE, SKY, VERMILLION, WIDTH, bold, fixed, font, svg, thousands, write,
    write_subtitle, write_title,
};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A number for a table cell: four significant digits in scientific notation (gradients and `v` span
/// many orders of magnitude), zero as `0`.
fn sci(x: f64) -> String {
    if x == 0.0 { "0".into() } else { format!("{x:.2e}").replace('-', "−") }
}

/// The weights of the table, chosen by a rule from the state after the step: the one with the
/// largest gradient, the one with the smallest gradient that is not zero, the one moved furthest
/// with a gradient of zero (by its momentum `m` alone), and the first whose `m` is still zero
/// (no step so far gave it a gradient). Each is `(letter, index)`; a rule that finds none is left out.
fn chosen(traced: &Traced) -> Vec<(char, usize)> {
    let g = traced.grads.data();
    let m = traced.adam.m().data();
    let by = |pick: &dyn Fn(usize) -> Option<f64>| {
        (0..g.len())
            .filter_map(|i| pick(i).map(|key| (i, key)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    };
    let rules = [
        by(&|i| Some(g[i].abs())),
        by(&|i| (g[i] != 0.0).then(|| -g[i].abs())),
        by(&|i| (g[i] == 0.0 && m[i] != 0.0).then(|| m[i].abs())),
        (0..g.len()).find(|&i| m[i] == 0.0),
    ];
    rules.into_iter().zip('A'..).filter_map(|(i, letter)| i.map(|i| (letter, i))).collect()
}

/// Four strips for the four vectors of one layout (weights, gradients, `m`, `v`) with the chosen
/// weights marked at their index in all four, then a table of their numbers after step
/// `traced.report.step` of the reference run: the weight before, its gradient, `m`, `v`, the update
/// and the weight after.
pub fn adam_state_svg(traced: &Traced) -> String {
    let Traced { report, before, grads, after, adam, .. } = traced;
    let rows = chosen(traced);
    let layout = before.layout();
    let n = before.len();
    let (strip_left, strip_right) = (250, 790);
    let strip_top = 118;
    let strip_pitch = 40;
    let strips = [
        ("weights", SKY.mix(0.35)),
        ("gradients", VERMILLION.mix(0.20)),
        ("Adam's m", ORANGE.mix(0.35)),
        ("Adam's v", ORANGE.mix(0.35)),
    ];
    let table_top = strip_top + strip_pitch * 4 + 70;
    let pitch = 32;
    let height = table_top + pitch * (rows.len() as i32 + 1) + 124;
    let x_of = |i: usize| {
        strip_left + ((strip_right - strip_left) as f64 * (i as f64 + 0.5) / n as f64).round() as i32
    };
    let cfg = microgpt::train::TrainOptions::default().adam;
    let t = adam.steps_taken();
    let power: String = t
        .to_string()
        .chars()
        .map(|d| "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().nth(d as usize - '0' as usize).unwrap_or(d))
        .collect();
    let index = |letter: char| rows.iter().find(|(l, _)| *l == letter).map(|&(_, i)| i);
    let step_of = |i: usize| (after.data()[i] - before.data()[i]).abs();
    let mut notes = Vec::new();
    if let (Some(a), Some(b)) = (index('A'), index('B')) {
        notes.push(format!(
            "A's gradient is {} times B's, its update only {} times: Adam scales each weight's step",
            thousands((grads.data()[a] / grads.data()[b]).abs().round() as usize),
            thousands((step_of(a) / step_of(b)).round() as usize),
        ));
    }
    if index('C').is_some() {
        notes.push(
            "C has no gradient at this step and still moves: its m remembers the steps before".to_string(),
        );
    }

    svg("adam_state.svg", (WIDTH, height as u32), |canvas| {
        let title =
            format!("Adam's state beside the weights, after step {} of the reference run", report.step);
        write_title(canvas, &title)?;
        let subtitle = format!(
            "four vectors of {} numbers in one layout: index i is the same weight in each",
            thousands(n)
        );
        write_subtitle(canvas, &subtitle)?;

        for (k, (label, fill)) in strips.iter().enumerate() {
            let y = strip_top + strip_pitch * k as i32;
            canvas.draw(&Rectangle::new([(strip_left, y), (strip_right, y + 24)], fill.filled()))?;
            canvas.draw(&Rectangle::new([(strip_left, y), (strip_right, y + 24)], GREY.stroke_width(1)))?;
            write(canvas, label, (strip_left - 14, y + 12), &font(16), HPos::Right, VPos::Center)?;
        }
        let bottom = strip_top + strip_pitch * 3 + 24;
        for &(letter, i) in &rows {
            let x = x_of(i);
            let line = vec![(x, strip_top - 6), (x, bottom + 6)];
            canvas.draw(&DashedPathElement::new(line, 4, 3, BLUE.stroke_width(2)))?;
            write(
                canvas,
                &letter.to_string(),
                (x, strip_top - 10),
                &bold(16).color(&BLUE),
                HPos::Center,
                VPos::Bottom,
            )?;
        }
        write(canvas, "index 0", (strip_left, bottom + 10), &font(14).color(&GREY), HPos::Left, VPos::Top)?;
        let last = format!("index {}", thousands(n - 1));
        write(canvas, &last, (strip_right, bottom + 10), &font(14).color(&GREY), HPos::Right, VPos::Top)?;

        let cols = [
            (40, "", HPos::Center),
            (62, "weight", HPos::Left),
            (310, "value", HPos::Right),
            (410, "gradient", HPos::Right),
            (535, "m", HPos::Right),
            (645, "v", HPos::Right),
            (755, "update", HPos::Right),
        ];
        let shade =
            [(445, table_top - pitch / 2 - 4), (660, table_top + pitch * rows.len() as i32 + pitch / 2)];
        canvas.draw(&Rectangle::new(shade, ORANGE.mix(0.12).filled()))?;
        write(
            canvas,
            "Adam's own",
            ((shade[0].0 + shade[1].0) / 2, table_top - pitch / 2 - 14),
            &font(14).color(&GREY),
            HPos::Center,
            VPos::Bottom,
        )?;
        for &(x, head, h) in &cols {
            write(canvas, head, (x, table_top), &font(16).color(&GREY), h, VPos::Center)?;
        }
        for (r, &(letter, i)) in rows.iter().enumerate() {
            let y = table_top + pitch * (r as i32 + 1);
            let (matrix, row, col) = layout.name_of(i);
            let cells = [
                letter.to_string(),
                format!("{matrix}[{row}][{col}]"),
                fixed(before.data()[i], 4),
                sci(grads.data()[i]),
                sci(adam.m().data()[i]),
                sci(adam.v().data()[i]),
                sci(after.data()[i] - before.data()[i]),
            ];
            for (k, (&(x, _, h), cell)) in cols.iter().zip(&cells).enumerate() {
                let style = if k == 0 { bold(16).color(&BLUE) } else { font(16) };
                write(canvas, cell, (x, y), &style, h, VPos::Center)?;
            }
        }
        let y = table_top + pitch * (rows.len() as i32 + 1) + 12;
        canvas.draw(&PathElement::new(vec![(30, y - 6), (790, y - 6)], LIGHT_GREY.stroke_width(1)))?;
        let formula = format!(
            "update = −lr · m̂ / (√v̂ + ε), with lr = {} at step {t}, m̂ = m / (1 − {}{power}), v̂ = v / (1 − {}{power})",
            fixed(report.learning_rate, 4),
            cfg.beta1(),
            cfg.beta2()
        );
        write(canvas, &formula, (WIDTH as i32 / 2, y + 18), &font(15), HPos::Center, VPos::Center)?;
        for (k, line) in notes.iter().enumerate() {
            let at = (WIDTH as i32 / 2, y + 46 + 26 * k as i32);
            write(canvas, line, at, &font(15).color(&GREY), HPos::Center, VPos::Center)?;
        }
        Ok(())
    })
}
