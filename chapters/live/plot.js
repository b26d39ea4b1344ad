// Drawing for the live widgets: a loss curve, tokens with their probabilities, and the pieces the
// other widgets draw with. Pixels only: the numbers come from the crate.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 270;
const MARGIN = { left: 40, right: 12, top: 44, bottom: 28 };
/** At most this many points per line: enough for the width, whatever the number of steps. */
const MAX_POINTS = 1200;

/** An SVG element `name` with `attributes`, appended to `parent` if given. */
export function element(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.append(node);
  return node;
}

/**
 * A loss curve in the `<svg>` element `svg`: every step's loss, faint, and the running mean, bold,
 * against the step, for a run of `steps` steps. `draw(losses, means)` redraws it with the values so
 * far.
 */
export function lossCurve(svg, steps) {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  const axes = element('g', { class: 'live-axes' }, svg);
  const raw = element('path', { class: 'live-loss' }, svg);
  const mean = element('path', { class: 'live-mean' }, svg);
  let top = null;
  const x = (step) => MARGIN.left + (step / Math.max(steps, 1)) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (loss) => HEIGHT - MARGIN.bottom - (Math.min(loss, top) / top) * (HEIGHT - MARGIN.top - MARGIN.bottom);

  function drawAxes() {
    axes.replaceChildren();
    element('line', { x1: MARGIN.left, y1: HEIGHT - MARGIN.bottom, x2: WIDTH - MARGIN.right, y2: HEIGHT - MARGIN.bottom }, axes);
    element('line', { x1: MARGIN.left, y1: MARGIN.top, x2: MARGIN.left, y2: HEIGHT - MARGIN.bottom }, axes);
    for (let loss = 0; loss <= top; loss += 1) {
      element('line', { class: 'live-grid', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(loss), y2: y(loss) }, axes);
      element('text', { x: MARGIN.left - 6, y: y(loss) + 4, 'text-anchor': 'end' }, axes).textContent = loss;
    }
    const ticks = [[0, 'start'], [Math.round(steps / 2), 'middle'], [steps, 'end']];
    for (const [step, anchor] of ticks) {
      const label = step === 0 ? 'step 0' : step.toLocaleString('en');
      element('text', { x: x(step), y: HEIGHT - 8, 'text-anchor': anchor }, axes).textContent = label;
    }
    // The legend, top right: which line is which.
    const legend = [['live-loss', 'the loss of each step'], ['live-mean', 'the mean of the last 100 steps']];
    legend.forEach(([kind, text], i) => {
      const y0 = 12 + 16 * i;
      element('line', { class: kind, x1: WIDTH - 250, x2: WIDTH - 226, y1: y0, y2: y0 }, axes);
      element('text', { x: WIDTH - 220, y: y0 + 4 }, axes).textContent = text;
    });
  }

  function path(values) {
    const every = Math.max(1, Math.ceil(values.length / MAX_POINTS));
    let d = '';
    for (let i = 0; i < values.length; i += every) {
      d += `${d ? 'L' : 'M'}${x(i + 1).toFixed(1)},${y(values[i]).toFixed(1)}`;
    }
    return d;
  }

  return {
    draw(losses, means) {
      if (top === null && losses.length > 0) {
        // Whole units above the first losses, which are the highest a run usually sees.
        top = Math.max(1, Math.ceil(Math.max(...losses.slice(0, 50))));
        drawAxes();
      }
      if (top === null) return;
      raw.setAttribute('d', path(losses));
      mean.setAttribute('d', path(means));
    },
  };
}

/**
 * Tokens and their probabilities in `container`, in the order given, one chip each: the label, the
 * probability written out, and a bar behind them as long as the probability. The chip of the
 * `chosen` token is marked.
 */
export function chips(container, rows) {
  container.replaceChildren();
  for (const [label, probability, chosen] of rows) {
    const chip = document.createElement('span');
    chip.className = chosen ? 'live-chip live-chosen' : 'live-chip';
    chip.style.setProperty('--p', probability.toFixed(4));
    const token = document.createElement('b');
    token.textContent = label;
    chip.append(token, ` ${(probability * 100).toFixed(1)}%`);
    container.append(chip);
  }
}

/**
 * A number as a widget writes it: at most `digits` decimals, without trailing zeros, and with a
 * real minus sign. The exact value stays in the element's `data-value`, for the tests.
 */
export function short(x, digits = 4) {
  const text = Number(x.toFixed(digits)).toString();
  return (text === '-0' ? '0' : text).replace('-', '\u2212');
}

/** Writes `x` into `node`: `short(x, digits)` as its text and the exact value in `data-value`. */
export function show(node, x, digits = 4) {
  node.textContent = short(x, digits);
  node.dataset.value = String(x);
  return node;
}
