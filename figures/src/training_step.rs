//! `training_step.svg`: one step of the reference run as a cycle.

use super::Traced;
use super::style::{
    BLUE, GREY, SKY, VERMILLION, WIDTH, arrow, bold, edge_point, fixed, font, node, svg, thousands, write,
    write_subtitle, write_title,
};
use microgpt::loss::positions;
use microgpt::math;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Step `traced.report.step` of the reference run as a cycle of five boxes (forward, loss, backward,
/// Adam, update), each with that step's real numbers: the document, its loss, the length of the
/// gradient, the decayed learning rate, and the weight with the largest gradient before and after.
pub fn training_step_svg(traced: &Traced) -> String {
    let Traced { tokenizer, config, doc, report, before, grads, after, .. } = traced;
    let name = tokenizer.decode(doc);
    let layout = before.layout();
    let vocab = tokenizer.vocab_size();
    let predictions = positions(config.block_size(), doc.len());
    let norm = grads.data().iter().map(|g| g * g).sum::<f64>().sqrt();
    let (largest, _) = grads
        .data()
        .iter()
        .enumerate()
        .fold((0, 0.0_f64), |(bi, bg), (i, &g)| if g.abs() > bg { (i, g.abs()) } else { (bi, bg) });
    let (matrix, r, c) = layout.name_of(largest);
    let weight = format!("{matrix}[{r}][{c}]");
    let moved = format!("{} → {}", fixed(before.data()[largest], 4), fixed(after.data()[largest], 4));
    let start_lr = microgpt::optim::AdamConfig::default().learning_rate().get();

    let (w, h) = (268, 84);
    let centre = (WIDTH as i32 / 2, 340);
    let (rx, ry) = (262.0, 190.0);
    let place = |k: usize| {
        let angle = (-90.0 + 72.0 * k as f64).to_radians();
        (centre.0 + (rx * math::cos(angle)).round() as i32, centre.1 + (ry * math::sin(angle)).round() as i32)
    };
    let height = place(2).1 + h / 2 + 36;

    let boxes = [
        (
            "forward".to_string(),
            vec![
                format!("reads \u{201c}{name}\u{201d}: {predictions} positions"),
                format!("{vocab} logits at each"),
            ],
        ),
        ("loss".to_string(), vec![fixed(report.loss, 4), "mean −ln p(next token)".to_string()]),
        (
            "backward".to_string(),
            vec![
                format!("{} gradients", thousands(grads.len())),
                format!("their length √Σg²: {}", fixed(norm, 4)),
            ],
        ),
        (
            "Adam".to_string(),
            vec![
                format!("learning rate {}", fixed(report.learning_rate, 4)),
                format!("{start_lr} × (1 − {}/{})", report.step - 1, thousands(report.steps)),
            ],
        ),
        ("update".to_string(), vec![format!("largest gradient: {weight}"), moved]),
    ];
    let fills = [
        (SKY.mix(0.18), BLUE),
        (SKY.mix(0.18), BLUE),
        (VERMILLION.mix(0.10), VERMILLION),
        (VERMILLION.mix(0.10), VERMILLION),
        (VERMILLION.mix(0.10), VERMILLION),
    ];

    svg("training_step.svg", (WIDTH, height as u32), |canvas| {
        let title = format!(
            "One training step: step {} of {} of the reference run",
            report.step,
            thousands(report.steps)
        );
        write_title(canvas, &title)?;
        let subtitle = "the update writes the weights that the next step's forward pass reads";
        write_subtitle(canvas, subtitle)?;
        for k in 0..boxes.len() {
            let (from, to) = (place(k), place((k + 1) % boxes.len()));
            let a = edge_point(from, (w / 2, h / 2), to);
            let b = edge_point(to, (w / 2, h / 2), from);
            arrow(canvas, vec![a, b], GREY)?;
        }
        for (k, ((title, lines), colours)) in boxes.iter().zip(fills).enumerate() {
            node(canvas, place(k), (w, h), colours, title, lines)?;
        }
        write(
            canvas,
            &format!("step {}", report.step),
            (centre.0, centre.1 - 12),
            &bold(20),
            HPos::Center,
            VPos::Center,
        )?;
        let next = format!("then step {}", report.step + 1);
        write(canvas, &next, (centre.0, centre.1 + 16), &font(16).color(&GREY), HPos::Center, VPos::Center)?;
        Ok(())
    })
}
