//! `attention.svg`: what each head of the trained model looks at while it reads a name.

use super::style::{Canvas, Drawn, GREY, LIGHT_GREY, WIDTH, font, svg, write, write_title};
use super::{NAME, Run, read_tokens, token_label};
use microgpt::error::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A light grey square of side `size` hatched at 45°: the future, where a query has no weight
/// because the key is not in the cache yet: not hidden, not there at all.
fn hatched(canvas: &Canvas, (x, y): (i32, i32), size: i32) -> Drawn {
    canvas.draw(&Rectangle::new([(x, y), (x + size, y + size)], RGBColor(0xF4, 0xF4, 0xF4).filled()))?;
    let hatch = LIGHT_GREY.stroke_width(1);
    // The lines x + y = c, every 9 pixels, from edge to edge of the square.
    for c in (9..2 * size).step_by(9) {
        let (from, to) = ((c - size).max(0), c.min(size));
        canvas.draw(&PathElement::new(vec![(x + from, y + c - from), (x + to, y + c - to)], hatch))?;
    }
    Ok(())
}

/// The trained model's attention weights while it reads `[BOS, NAME]`: one heatmap per head, the
/// reading (query) position down and the position looked at (key) across, with the future (which
/// does not exist yet) hatched and a colour bar for the weights.
pub fn attention_svg(run: &Run) -> Result<String> {
    let tokens = read_tokens(&run.tokenizer, NAME)?;
    let labels: Vec<String> = tokens.iter().map(|&t| token_label(&run.tokenizer, t)).collect();
    let maps = run.model.attention_maps(&tokens);
    let n_layer = maps.len();
    let panels: Vec<(String, &Vec<Vec<f64>>)> = maps
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| {
            layer.iter().enumerate().map(move |(h, head)| {
                let title = if n_layer == 1 { format!("head {h}") } else { format!("layer {l}, head {h}") };
                (title, head)
            })
        })
        .collect();

    let n = tokens.len() as i32;
    // Two columns of panels, then the colour bar and its labels, within WIDTH.
    let cell = 260 / n;
    let grid = cell * n;
    let (label_w, title_h, header_h, gap) = (50, 30, 28, 36);
    let panel_w = label_w + grid;
    let panel_h = title_h + header_h + grid;
    let rows = panels.len().div_ceil(2) as i32;
    let (left, top) = (36, 56);
    let bar_x = left + 2 * panel_w + gap + 26;
    let height = top + rows * panel_h + (rows - 1) * 24 + 70;

    Ok(svg("attention.svg", (WIDTH, height as u32), |canvas| {
        let title = format!("What each head looks at while the trained model reads \u{201c}{NAME}\u{201d}");
        write_title(canvas, &title)?;
        let vertical = font(16).transform(FontTransform::Rotate270);
        let middle = top + (rows * panel_h + (rows - 1) * 24) / 2;
        write(canvas, "query: the position reading  →", (14, middle), &vertical, HPos::Center, VPos::Center)?;

        for (i, (title, weights)) in panels.iter().enumerate() {
            let x0 = left + (i as i32 % 2) * (panel_w + gap);
            let y0 = top + (i as i32 / 2) * (panel_h + 24);
            let (gx, gy) = (x0 + label_w, y0 + title_h + header_h);
            write(canvas, title, (gx + grid / 2, y0), &font(18), HPos::Center, VPos::Top)?;
            for (j, label) in labels.iter().enumerate() {
                let c = j as i32 * cell + cell / 2;
                write(canvas, label, (gx + c, gy - 6), &font(16), HPos::Center, VPos::Bottom)?;
                write(canvas, label, (gx - 8, gy + c), &font(16), HPos::Right, VPos::Center)?;
            }
            // The whole grid hatched, then a cell for every weight: what stays hatched does not exist yet.
            hatched(canvas, (gx, gy), grid)?;
            for (q, row) in weights.iter().enumerate() {
                for (k, &w) in row.iter().enumerate() {
                    let at = (gx + k as i32 * cell, gy + q as i32 * cell);
                    let colour = ViridisRGB.get_color(w as f32);
                    canvas.draw(&Rectangle::new([at, (at.0 + cell, at.1 + cell)], colour.filled()))?;
                }
            }
            canvas.draw(&Rectangle::new([(gx, gy), (gx + grid, gy + grid)], GREY.stroke_width(1)))?;
        }
        let keys = "key: the position looked at  →";
        write(canvas, keys, (left + panel_w + gap / 2, height - 52), &font(16), HPos::Center, VPos::Center)?;

        // The colour bar, as tall as one grid, beside the first row of panels.
        let (bar_top, bar_w) = (top + title_h + header_h, 22);
        write(canvas, "weight", (bar_x + bar_w / 2, bar_top - 10), &font(16), HPos::Center, VPos::Bottom)?;
        // Bands of 4 pixels, each the colour of the weight at its middle.
        for y in (0..grid).step_by(4) {
            let w = 1.0 - f64::from(2 * y + 4.min(grid - y)) / f64::from(2 * grid);
            let colour = ViridisRGB.get_color(w as f32);
            let band = [(bar_x, bar_top + y), (bar_x + bar_w, bar_top + (y + 4).min(grid))];
            canvas.draw(&Rectangle::new(band, colour.filled()))?;
        }
        canvas.draw(&Rectangle::new(
            [(bar_x, bar_top), (bar_x + bar_w, bar_top + grid)],
            GREY.stroke_width(1),
        ))?;
        for tick in 0..=4 {
            let y = bar_top + grid - tick * grid / 4;
            let value = f64::from(tick) / 4.0;
            canvas.draw(&PathElement::new(
                vec![(bar_x + bar_w, y), (bar_x + bar_w + 5, y)],
                GREY.stroke_width(1),
            ))?;
            write(canvas, &format!("{value}"), (bar_x + bar_w + 8, y), &font(16), HPos::Left, VPos::Center)?;
        }
        let masked_y = bar_top + grid + 40;
        hatched(canvas, (bar_x, masked_y), bar_w)?;
        canvas.draw(&Rectangle::new(
            [(bar_x, masked_y), (bar_x + bar_w, masked_y + bar_w)],
            GREY.stroke_width(1),
        ))?;
        write(canvas, "future:", (bar_x, masked_y + bar_w + 8), &font(14), HPos::Left, VPos::Top)?;
        write(canvas, "not read yet", (bar_x, masked_y + bar_w + 26), &font(14), HPos::Left, VPos::Top)?;
        Ok(())
    }))
}
