//! `graph.svg`: a small computation graph, read off a real tape.

use super::style::{
    BLUE, GREY, SKY, VERMILLION, WIDTH, arrow, bold, font, signed, svg, tag, write, write_subtitle,
    write_title,
};
use microgpt::value::{Tape, Var};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// Where each node of a tape goes: its column is its depth (leaves at 0, every other node one
/// right of its deepest child), its row is its order among the leaves, or the mean of its
/// children's rows. `nodes` are all the nodes of `tape`, in the order they were recorded.
fn layout(tape: &Tape, nodes: &[Var]) -> Vec<(usize, f64)> {
    assert!(
        nodes.len() == tape.len() && nodes.iter().enumerate().all(|(i, v)| v.index() == i),
        "layout needs every node of the tape, in tape order"
    );
    let mut places: Vec<(usize, f64)> = Vec::with_capacity(nodes.len());
    let mut leaves = 0;
    for &node in nodes {
        let children = tape.children(node);
        if children.is_empty() {
            places.push((0, f64::from(leaves)));
            leaves += 1;
        } else {
            let depth = children.iter().map(|(c, _)| places[c.index()].0).max().unwrap_or(0) + 1;
            let row = children.iter().map(|(c, _)| places[c.index()].1).sum::<f64>() / children.len() as f64;
            places.push((depth, row));
        }
    }
    places
}

/// Whether the segment from `a` to `b` passes through any of `boxes` (sampled every few pixels;
/// the segment's own ends touch only the boxes' edges).
fn crosses_a_box((a, b): ((i32, i32), (i32, i32)), boxes: &[[(i32, i32); 2]]) -> bool {
    (1..40).any(|k| {
        let t = f64::from(k) / 40.0;
        let x = f64::from(a.0) + t * f64::from(b.0 - a.0);
        let y = f64::from(a.1) + t * f64::from(b.1 - a.1);
        boxes.iter().any(|[(x0, y0), (x1, y1)]| {
            f64::from(*x0) < x && x < f64::from(*x1) && f64::from(*y0) < y && y < f64::from(*y1)
        })
    })
}

/// Points along the quadratic Bézier curve from `a` to `b` pulled towards `control`.
fn bezier(a: (f64, f64), control: (f64, f64), b: (f64, f64)) -> Vec<(i32, i32)> {
    (0..=24)
        .map(|k| {
            let t = f64::from(k) / 24.0;
            let (u, v, w) = ((1.0 - t) * (1.0 - t), 2.0 * t * (1.0 - t), t * t);
            let x = u * a.0 + v * control.0 + w * b.0;
            let y = u * a.1 + v * control.1 + w * b.1;
            (x.round() as i32, y.round() as i32)
        })
        .collect()
}

/// The tape of `L = (a·b + c)·a` for `a = 2, b = -3, c = 10`, laid out left to right by depth: each
/// node's value and gradient, each edge's local derivative, and `a` used twice (fan-out).
pub fn graph_svg() -> String {
    let mut tape = Tape::new();
    let a = tape.leaf(2.0);
    let b = tape.leaf(-3.0);
    let c = tape.leaf(10.0);
    let d = tape.mul(a, b);
    let e = tape.add(d, c);
    let l = tape.mul(e, a);
    let grads = tape.backward(l);
    let nodes = [a, b, c, d, e, l];
    let names = ["a", "b", "c", "d = a·b", "e = d + c", "L = e·a"];
    let places = layout(&tape, &nodes);

    let (box_w, box_h, col_pitch, row_pitch) = (150, 84, 216, 112);
    let (left, top) = (20 + box_w / 2, 190);
    let centre = |i: usize| {
        let (depth, row) = places[i];
        (left + depth as i32 * col_pitch, top + (row * f64::from(row_pitch)).round() as i32)
    };
    let leaves = places.iter().filter(|p| p.0 == 0).count() as i32;
    let height = top + (leaves - 1) * row_pitch + box_h / 2 + 70;

    // How a's gradient adds up over its two uses, read off the tape.
    let uses: Vec<(f64, f64)> = nodes
        .iter()
        .flat_map(|&node| {
            let g = grads[node];
            tape.children(node).iter().filter(|(child, _)| *child == a).map(move |&(_, local)| (local, g))
        })
        .collect();
    let factor = |x: f64| if x < 0.0 { format!("({})", signed(x)) } else { signed(x) };
    let terms: Vec<String> =
        uses.iter().map(|&(local, g)| format!("{} × {}", factor(local), factor(g))).collect();
    let times = if uses.len() == 2 { "twice".to_string() } else { format!("{} times", uses.len()) };
    let fan_out = format!(
        "a is used {times}, so its gradient is a sum: ∂L/∂a = {} = {}",
        terms.join(" + "),
        signed(grads[a])
    );

    svg("graph.svg", (WIDTH, height as u32), |canvas| {
        let inputs =
            [("a", a), ("b", b), ("c", c)].map(|(name, v)| format!("{name} = {}", signed(tape.value(v))));
        let title = format!("L = (a·b + c)·a on the tape, for {}", inputs.join(", "));
        write_title(canvas, &title)?;
        let subtitle = "boxes: value (forward) and gradient ∂L/∂node (backward); arrows: local derivative";
        write_subtitle(canvas, subtitle)?;

        let boxes: Vec<[(i32, i32); 2]> = (0..nodes.len())
            .map(|i| {
                let (x, y) = centre(i);
                [(x - box_w / 2, y - box_h / 2), (x + box_w / 2, y + box_h / 2)]
            })
            .collect();
        // Edges first, so that boxes and labels sit on top of them.
        for (i, &node) in nodes.iter().enumerate() {
            let (px, py) = centre(i);
            for &(child, local) in tape.children(node) {
                let (cx, cy) = centre(child.index());
                let straight = ((cx + box_w / 2, cy), (px - box_w / 2, py));
                let (points, label_at) = if crosses_a_box(straight, &boxes) {
                    // Over the top of everything in between, into the parent from above.
                    let start = (f64::from(cx), f64::from(cy - box_h / 2));
                    let end = (f64::from(px), f64::from(py - box_h / 2));
                    let control = ((start.0 + end.0) / 2.0, f64::from(top - box_h / 2 - 110));
                    let points = bezier(start, control, end);
                    let mid = points[points.len() / 2];
                    (points, mid)
                } else {
                    let ((x0, y0), (x1, y1)) = straight;
                    (vec![(x0, y0), (x1, y1)], ((x0 + x1) / 2, (y0 + y1) / 2))
                };
                arrow(canvas, points, GREY)?;
                tag(canvas, &signed(local), label_at, &font(16).color(&GREY), 16)?;
            }
        }
        for (i, (&node, name)) in nodes.iter().zip(names).enumerate() {
            let (x, y) = centre(i);
            let leaf = tape.children(node).is_empty();
            let fill = if leaf { SKY.mix(0.18) } else { WHITE.mix(1.0) };
            let corners = [(x - box_w / 2, y - box_h / 2), (x + box_w / 2, y + box_h / 2)];
            canvas.draw(&Rectangle::new(corners, fill.filled()))?;
            canvas.draw(&Rectangle::new(corners, BLUE.stroke_width(2)))?;
            write(canvas, name, (x, y - 24), &bold(18), HPos::Center, VPos::Center)?;
            let value = format!("value {}", signed(tape.value(node)));
            write(canvas, &value, (x, y + 2), &font(16), HPos::Center, VPos::Center)?;
            let grad = format!("grad {}", signed(grads[node]));
            write(canvas, &grad, (x, y + 24), &font(16).color(&VERMILLION), HPos::Center, VPos::Center)?;
        }
        write(canvas, &fan_out, (WIDTH as i32 / 2, height - 28), &font(16), HPos::Center, VPos::Center)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_layout_puts_each_node_right_of_its_deepest_child() {
        let mut tape = Tape::new();
        let a = tape.leaf(1.0);
        let b = tape.leaf(2.0);
        let ab = tape.mul(a, b);
        let sum = tape.add(ab, a);
        assert_eq!(layout(&tape, &[a, b, ab, sum]), [(0, 0.0), (0, 1.0), (1, 0.5), (2, 0.25)]);
    }
}
