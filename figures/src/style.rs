//! The drawing conventions every figure shares: palette, sizes, text, legends and axes.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Okabe and Ito's palette, which stays distinguishable under every common colour-vision deficiency.
pub(super) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub(super) const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub(super) const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub(super) const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub(super) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub(super) const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Grid lines, outlines and secondary text.
pub(super) const GREY: RGBColor = RGBColor(0x77, 0x77, 0x77);
pub(super) const LIGHT_GREY: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// Width of every figure: it fits the mdBook content column at close to natural size.
pub(super) const WIDTH: u32 = 820;
/// Room left of every chart for its tick labels and the rotated axis description.
pub(super) const Y_LABELS: i32 = 76;

pub(super) type Canvas<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub(super) type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

/// Draws an SVG of `size` pixels on a white background.
///
/// Panics if plotters fails to draw into the string, which can only be a bug in the figure's code
/// (an empty axis range, say): there is no IO that could fail.
pub(super) fn svg(name: &str, size: (u32, u32), draw: impl FnOnce(&Canvas) -> Drawn) -> String {
    let mut out = String::new();
    {
        let canvas = SVGBackend::with_string(&mut out, size).into_drawing_area();
        let drawn = (|| -> Drawn {
            canvas.fill(&WHITE)?;
            draw(&canvas)?;
            canvas.present()?;
            Ok(())
        })();
        if let Err(e) = drawn {
            panic!("drawing {name}: {e}");
        }
    }
    out
}

/// A text style whose SVG `font-size` is `px` (plotters writes the size it is given divided by 1.24).
pub(super) fn font(px: u32) -> TextStyle<'static> {
    ("sans-serif", f64::from(px) * 1.24).into_font().color(&BLACK)
}

/// [`font`], in bold.
pub(super) fn bold(px: u32) -> TextStyle<'static> {
    ("sans-serif", f64::from(px) * 1.24, FontStyle::Bold).into_font().color(&BLACK)
}

/// A width that `text` at `px` pixels will not exceed in a common sans-serif (DejaVu Sans, one of the
/// widest, averages under 0.62 em per character).
pub(super) fn text_width(text: &str, px: u32) -> i32 {
    (text.chars().count() as f64 * 0.62 * f64::from(px)).ceil() as i32
}

/// Writes `text` with its anchor point (`h`, `v`) at `at`.
pub(super) fn write(
    canvas: &Canvas,
    text: &str,
    at: (i32, i32),
    style: &TextStyle,
    h: HPos,
    v: VPos,
) -> Drawn {
    canvas.draw(&Text::new(text.to_string(), at, style.pos(Pos::new(h, v))))?;
    Ok(())
}

/// A figure's title, centred at the top.
pub(super) fn write_title(canvas: &Canvas, text: &str) -> Drawn {
    write(canvas, text, (WIDTH as i32 / 2, 14), &font(20), HPos::Center, VPos::Top)
}

/// The line under a figure's title.
pub(super) fn write_subtitle(canvas: &Canvas, text: &str) -> Drawn {
    write(canvas, text, (WIDTH as i32 / 2, 46), &font(16), HPos::Center, VPos::Top)
}

/// A number for a label, with a real minus sign.
pub(super) fn signed(x: f64) -> String {
    format!("{x}").replace('-', "−")
}

/// What a legend entry looks like.
pub(super) enum Swatch {
    Line(ShapeStyle),
    Dashed(ShapeStyle),
}

/// A legend outside the data, from `top_left`: the entries row by row in `columns` columns, each
/// column as wide as its longest label.
pub(super) fn legend(
    canvas: &Canvas,
    top_left: (i32, i32),
    columns: usize,
    entries: &[(Swatch, String)],
) -> Drawn {
    let (px, row, sample, gap) = (16, 26, 36, 28);
    let mut x = top_left.0;
    for column in 0..columns {
        let in_column: Vec<&(Swatch, String)> = entries.iter().skip(column).step_by(columns).collect();
        for (i, (swatch, label)) in in_column.iter().enumerate() {
            let y = top_left.1 + row * i as i32 + row / 2;
            let (a, b) = ((x, y), (x + sample, y));
            match swatch {
                Swatch::Line(style) => canvas.draw(&PathElement::new(vec![a, b], *style))?,
                Swatch::Dashed(style) => canvas.draw(&DashedPathElement::new(vec![a, b], 7, 5, *style))?,
            }
            write(canvas, label, (x + sample + 10, y), &font(px), HPos::Left, VPos::Center)?;
        }
        x += sample + 10 + in_column.iter().map(|(_, label)| text_width(label, px)).max().unwrap_or(0) + gap;
    }
    Ok(())
}

/// The axes and grid of every chart: 16 px labels, light grey grid lines at the labelled values only.
pub(super) fn mesh<'a, 'b, X, Y>(
    chart: &'b mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
) -> MeshStyle<'a, 'b, X, Y, SVGBackend<'a>>
where
    X: Ranged + ValueFormatter<X::ValueType>,
    Y: Ranged + ValueFormatter<Y::ValueType>,
{
    let mut mesh = chart.configure_mesh();
    // Transparent rather than `max_light_lines(0)`, which sends plotters 0.3.7 into an endless loop
    // on integer axes.
    mesh.label_style(font(16))
        .axis_desc_style(font(16))
        .bold_line_style(LIGHT_GREY.mix(0.6))
        .light_line_style(TRANSPARENT);
    mesh
}

/// The pixel rectangle of a chart's plotting area: `(left, top, right, bottom)`.
pub(super) fn plot_rect<X: Ranged, Y: Ranged>(
    chart: &ChartContext<SVGBackend, Cartesian2d<X, Y>>,
) -> (i32, i32, i32, i32) {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    (xs.start, ys.start, xs.end, ys.end)
}

/// A title centred over a chart's plotting area.
pub(super) fn panel_title<X: Ranged, Y: Ranged>(
    canvas: &Canvas,
    chart: &ChartContext<SVGBackend, Cartesian2d<X, Y>>,
    title: &str,
) -> Drawn {
    let (left, top, right, _) = plot_rect(chart);
    write(canvas, title, ((left + right) / 2, top - 10), &font(16), HPos::Center, VPos::Bottom)
}

/// A line along `points` ending in an arrowhead.
pub(super) fn arrow(canvas: &Canvas, points: Vec<(i32, i32)>, colour: RGBColor) -> Drawn {
    let n = points.len();
    let (tip, from) = (points[n - 1], points[n - 2]);
    let (dx, dy) = (f64::from(tip.0 - from.0), f64::from(tip.1 - from.1));
    let len = (dx * dx + dy * dy).sqrt();
    let (ux, uy) = (dx / len, dy / len);
    let corner = |side: f64| {
        let x = f64::from(tip.0) - 11.0 * ux + side * 5.0 * uy;
        let y = f64::from(tip.1) - 11.0 * uy - side * 5.0 * ux;
        (x.round() as i32, y.round() as i32)
    };
    canvas.draw(&PathElement::new(points, colour.stroke_width(2)))?;
    canvas.draw(&Polygon::new(vec![tip, corner(1.0), corner(-1.0)], colour.filled()))?;
    Ok(())
}

/// A short label on a white patch, so lines behind it do not run through the text.
pub(super) fn tag(canvas: &Canvas, text: &str, (x, y): (i32, i32), style: &TextStyle, px: u32) -> Drawn {
    let half = text_width(text, px) / 2 + 4;
    let h = px as i32 / 2 + 3;
    canvas.draw(&Rectangle::new([(x - half, y - h), (x + half, y + h)], WHITE.filled()))?;
    write(canvas, text, (x, y), style, HPos::Center, VPos::Center)
}

/// Where the line from the centre `c` of a box of half-size `(hw, hh)` towards `to` leaves the box.
pub(super) fn edge_point(c: (i32, i32), (hw, hh): (i32, i32), to: (i32, i32)) -> (i32, i32) {
    let (dx, dy) = (f64::from(to.0 - c.0), f64::from(to.1 - c.1));
    // A zero component divides to infinity, and `min` takes the other side.
    let s = (f64::from(hw) / dx.abs()).min(f64::from(hh) / dy.abs());
    (c.0 + (dx * s).round() as i32, c.1 + (dy * s).round() as i32)
}

/// A box of a diagram centred at `c`, `size` pixels, filled with `fill` and outlined in `outline`:
/// `title` in bold over `lines`, each centred, 22 pixels apart.
pub(super) fn node(
    canvas: &Canvas,
    c: (i32, i32),
    (w, h): (i32, i32),
    (fill, outline): (RGBAColor, RGBColor),
    title: &str,
    lines: &[String],
) -> Drawn {
    let corners = [(c.0 - w / 2, c.1 - h / 2), (c.0 + w / 2, c.1 + h / 2)];
    canvas.draw(&Rectangle::new(corners, fill.filled()))?;
    canvas.draw(&Rectangle::new(corners, outline.stroke_width(2)))?;
    let pitch = 22;
    let first = c.1 - lines.len() as i32 * pitch / 2;
    write(canvas, title, (c.0, first), &bold(17), HPos::Center, VPos::Center)?;
    for (i, line) in lines.iter().enumerate() {
        let y = first + (i as i32 + 1) * pitch;
        write(canvas, line, (c.0, y), &font(15), HPos::Center, VPos::Center)?;
    }
    Ok(())
}

/// `n` with a comma between each group of three digits, as the book writes numbers: `32,033`.
pub fn thousands(n: usize) -> String {
    group_digits(&n.to_string())
}

/// A string of decimal digits with a comma between each group of three, counted from the right.
pub(super) fn group_digits(digits: &str) -> String {
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `x` with `decimals` digits after the point and a real minus sign.
pub(super) fn fixed(x: f64, decimals: usize) -> String {
    signed_str(&format!("{x:.decimals$}"))
}

/// A formatted number with its hyphen turned into a real minus sign.
fn signed_str(s: &str) -> String {
    s.replace('-', "−")
}
