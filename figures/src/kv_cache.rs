//! `kv_cache.svg`: the KV cache filling up while the model reads a name.

use super::style::{LIGHT_GREY, ORANGE, SKY, WIDTH, font, svg, text_width, write, write_title};
use super::{NAME, Run, read_tokens, token_label};
use microgpt::error::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The KV cache while the trained model reads `[BOS, NAME]`, one row per step: the key and value
/// computed at that step, the ones reused from earlier steps, and the future, not yet computed. The
/// number of cached positions is read off the attention maps (a query at step `t` has one weight per
/// cached key).
pub fn kv_cache_svg(run: &Run) -> Result<String> {
    let tokens = read_tokens(&run.tokenizer, NAME)?;
    let labels: Vec<String> = tokens.iter().map(|&t| token_label(&run.tokenizer, t)).collect();
    let maps = run.model.attention_maps(&tokens);
    let cached: Vec<usize> = maps[0][0].iter().map(Vec::len).collect();
    let config = run.model.config();

    let n = tokens.len() as i32;
    let (cell_w, cell_h) = (60, 40);
    let (left, top) = (150, 112);
    let height = top + n * cell_h + 110;
    let new = ORANGE.mix(0.9);
    let reused = SKY.mix(0.55);

    Ok(svg("kv_cache.svg", (WIDTH, height as u32), |canvas| {
        let title = format!("The KV cache while the model reads \u{201c}{NAME}\u{201d}");
        write_title(canvas, &title)?;
        let head = "cached position (the key and value of that token)  →";
        write(canvas, head, (left + n * cell_w / 2, 52), &font(16), HPos::Center, VPos::Top)?;
        write(canvas, "step: reads", (left - 12, top - 10), &font(16), HPos::Right, VPos::Bottom)?;
        for (j, label) in labels.iter().enumerate() {
            let x = left + j as i32 * cell_w + cell_w / 2;
            write(canvas, label, (x, top - 10), &font(16), HPos::Center, VPos::Bottom)?;
        }
        for (t, &len) in cached.iter().enumerate() {
            let y = top + t as i32 * cell_h;
            let row = format!("{t}: {}", labels[t]);
            write(canvas, &row, (left - 12, y + cell_h / 2), &font(16), HPos::Right, VPos::Center)?;
            for j in 0..n as usize {
                let corners = [
                    (left + j as i32 * cell_w + 2, y + 2),
                    (left + (j as i32 + 1) * cell_w - 2, y + cell_h - 2),
                ];
                if j + 1 == len {
                    canvas.draw(&Rectangle::new(corners, new.filled()))?;
                } else if j < len {
                    canvas.draw(&Rectangle::new(corners, reused.filled()))?;
                } else {
                    canvas.draw(&Rectangle::new(corners, LIGHT_GREY.stroke_width(1)))?;
                }
            }
            let note =
                if len == 1 { "1 computed".to_string() } else { format!("1 computed, {} reused", len - 1) };
            let x = left + n * cell_w + 14;
            write(canvas, &note, (x, y + cell_h / 2), &font(16), HPos::Left, VPos::Center)?;
        }

        let y = top + n * cell_h + 34;
        let swatches = [
            (new.filled(), "computed at this step".to_string()),
            (reused.filled(), "reused from the cache".to_string()),
            (LIGHT_GREY.stroke_width(1), "not read yet".to_string()),
        ];
        let mut x = 60;
        for (style, label) in &swatches {
            canvas.draw(&Rectangle::new([(x, y - 12), (x + 34, y + 12)], *style))?;
            write(canvas, label, (x + 44, y), &font(16), HPos::Left, VPos::Center)?;
            x += 44 + text_width(label, 16) + 40;
        }
        let per_position = format!(
            "each cached position holds a key and a value of {} numbers per layer ({} layer{})",
            config.n_embd(),
            config.n_layer(),
            if config.n_layer() == 1 { "" } else { "s" }
        );
        write(canvas, &per_position, (WIDTH as i32 / 2, y + 40), &font(16), HPos::Center, VPos::Center)?;
        Ok(())
    }))
}
