//! `tokenizer.svg`: a name framed by BOS, its token ids, and the training pairs it yields.

use super::style::{
    BLUE, GREY, LIGHT_GREY, ORANGE, SKY, WIDTH, bold, font, svg, text_width, write, write_subtitle,
    write_title,
};
use super::{prepared, token_label};
use microgpt::error::Result;
use microgpt::loss::positions;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// The first training document of the reference run as `Tokenizer::encode_doc` frames it, each
/// token over its id, then one row per prediction that `loss::positions` counts: the context (the
/// tokens so far) and the target (the next token), with their ids.
pub fn tokenizer_svg() -> Result<String> {
    let prep = prepared()?;
    let tokenizer = &prep.tokenizer;
    let tokens = &prep.docs[0];
    let name = tokenizer.decode(tokens);
    let labels: Vec<String> = tokens.iter().map(|&t| token_label(tokenizer, t)).collect();
    let block = prep.model.config().block_size();
    let n_pairs = positions(block, tokens.len());

    let n = tokens.len() as i32;
    let (cell_w, cell_h) = (52, 40);
    let left = 100;
    let frame_top = 96;
    let grid_top = frame_top + 184;
    let height = grid_top + n_pairs as i32 * cell_h + 100;
    let context = SKY.mix(0.55);
    let target = ORANGE.mix(0.9);

    Ok(svg("tokenizer.svg", (WIDTH, height as u32), |canvas| {
        let title = format!("\u{201c}{name}\u{201d} as the model trains on it: BOS at both ends");
        write_title(canvas, &title)?;
        let subtitle = "the first document of the reference run, through Tokenizer::encode_doc";
        write_subtitle(canvas, subtitle)?;

        write(canvas, "token", (left - 12, frame_top + cell_h / 2), &font(16), HPos::Right, VPos::Center)?;
        write(canvas, "id", (left - 12, frame_top + cell_h + 18), &font(16), HPos::Right, VPos::Center)?;
        for (j, (label, id)) in labels.iter().zip(tokens).enumerate() {
            let x = left + j as i32 * cell_w;
            let corners = [(x + 2, frame_top), (x + cell_w - 2, frame_top + cell_h)];
            let is_bos = *id == tokenizer.bos();
            let fill = if is_bos { GREY.mix(0.25) } else { SKY.mix(0.18) };
            canvas.draw(&Rectangle::new(corners, fill.filled()))?;
            canvas.draw(&Rectangle::new(corners, BLUE.stroke_width(2)))?;
            let centre = x + cell_w / 2;
            write(canvas, label, (centre, frame_top + cell_h / 2), &bold(16), HPos::Center, VPos::Center)?;
            write(
                canvas,
                &id.to_string(),
                (centre, frame_top + cell_h + 18),
                &font(16),
                HPos::Center,
                VPos::Center,
            )?;
        }
        let bos_note = format!(
            "BOS is id {}, one past the {} characters; the first BOS starts the name, the last ends it",
            tokenizer.bos(),
            tokenizer.chars().len()
        );
        write(
            canvas,
            &bos_note,
            (WIDTH as i32 / 2, frame_top + cell_h + 52),
            &font(15).color(&GREY),
            HPos::Center,
            VPos::Center,
        )?;

        let pairs = format!(
            "positions(block_size = {block}, n_tokens = {}) = {n_pairs} predictions: context → target",
            tokens.len()
        );
        write(canvas, &pairs, (WIDTH as i32 / 2, grid_top - 34), &bold(16), HPos::Center, VPos::Center)?;
        for pos in 0..n_pairs {
            let y = grid_top + pos as i32 * cell_h;
            write(
                canvas,
                &format!("position {pos}"),
                (left - 12, y + cell_h / 2),
                &font(15),
                HPos::Right,
                VPos::Center,
            )?;
            for (j, label) in labels.iter().enumerate() {
                let x = left + j as i32 * cell_w;
                let corners = [(x + 2, y + 2), (x + cell_w - 2, y + cell_h - 2)];
                if j <= pos {
                    canvas.draw(&Rectangle::new(corners, context.filled()))?;
                } else if j == pos + 1 {
                    canvas.draw(&Rectangle::new(corners, target.filled()))?;
                } else {
                    canvas.draw(&Rectangle::new(corners, LIGHT_GREY.stroke_width(1)))?;
                }
                if j <= pos + 1 {
                    let at = (x + cell_w / 2, y + cell_h / 2);
                    write(canvas, label, at, &font(15), HPos::Center, VPos::Center)?;
                }
            }
            let ids: Vec<String> = tokens[..=pos].iter().map(usize::to_string).collect();
            let as_ids = format!("[{}] → {}", ids.join(", "), tokens[pos + 1]);
            write(
                canvas,
                &as_ids,
                (left + n * cell_w + 14, y + cell_h / 2),
                &font(15),
                HPos::Left,
                VPos::Center,
            )?;
        }

        let y = grid_top + n_pairs as i32 * cell_h + 40;
        let swatches =
            [(context, "context: the tokens so far"), (target, "target: the next token to predict")];
        let mut x = 110;
        for (colour, label) in swatches {
            canvas.draw(&Rectangle::new([(x, y - 12), (x + 34, y + 12)], colour.filled()))?;
            write(canvas, label, (x + 44, y), &font(16), HPos::Left, VPos::Center)?;
            x += 44 + text_width(label, 16) + 40;
        }
        Ok(())
    }))
}
