// Chapter 8's widget: one weight of the real model over the first 50 steps of the reference run,
// under the crate's Adam (learning rate, β's and bias correction as the reader sets them) and under
// plain gradient descent. The crate trains both and returns the two paths; this module draws them.
// The markup is in chapters/08-adam.md.

import { messageOf, mount } from './live.js';
import { element, short, show } from './plot.js';

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { left: 56, right: 12, top: 40, bottom: 28 };

mount(document.getElementById('live-adam'), (root, { OptimizerPaths }) => {
  const field = (name) => root.querySelector(`#live-adam-${name}`);
  const [matrix, row, col, lr, beta1, beta2, correction, gdLr] =
    ['matrix', 'row', 'col', 'lr', 'beta1', 'beta2', 'correction', 'gd-lr'].map(field);
  const form = root.querySelector('form');
  const svg = root.querySelector('svg');
  const error = root.querySelector('.live-error');
  const [start, adamEnd, gdEnd] = ['start', 'final-adam', 'final-gd'].map(field);

  function update() {
    for (const beta of [beta1, beta2]) root.querySelector(`output[for="${beta.id}"]`).textContent = beta.value;
    error.textContent = '';
    let paths;
    try {
      paths = new OptimizerPaths(matrix.value, row.value.trim(), col.value.trim(), lr.value.trim(), beta1.value,
        beta2.value, correction.checked, gdLr.value.trim());
    } catch (e) {
      error.textContent = messageOf(e);
      root.dataset.state = 'error';
      return;
    }
    const [adam, descent, diverged, steps] = [paths.adam(), paths.descent(), paths.diverged(), paths.steps()];
    paths.free();
    error.textContent = diverged;
    const weight = `${matrix.value}[${row.value.trim()}][${col.value.trim()}]`;
    draw(weight, steps, adam, descent);
    show(start, adam[0]);
    for (const [node, path] of [[adamEnd, adam], [gdEnd, descent]]) {
      if (path.length === steps + 1) show(node, path[steps]);
      else node.textContent = 'diverged';
    }
    root.dataset.state = 'done';
  }

  function draw(weight, steps, adam, descent) {
    svg.replaceChildren();
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    const all = [...adam, ...descent];
    let [lo, hi] = [Math.min(...all), Math.max(...all)];
    if (hi - lo < 1e-9) [lo, hi] = [lo - 0.01, hi + 0.01];
    const x = (step) => MARGIN.left + (step / steps) * (WIDTH - MARGIN.left - MARGIN.right);
    const y = (w) => HEIGHT - MARGIN.bottom - ((w - lo) / (hi - lo)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
    const axes = element('g', { class: 'live-axes' }, svg);
    element('line', { x1: MARGIN.left, y1: HEIGHT - MARGIN.bottom, x2: WIDTH - MARGIN.right, y2: HEIGHT - MARGIN.bottom }, axes);
    element('line', { x1: MARGIN.left, y1: MARGIN.top, x2: MARGIN.left, y2: HEIGHT - MARGIN.bottom }, axes);
    for (const w of ticks(lo, hi)) {
      element('line', { class: 'live-grid', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(w), y2: y(w) }, axes);
      element('text', { x: MARGIN.left - 6, y: y(w) + 4, 'text-anchor': 'end' }, axes).textContent = short(w, 3);
    }
    for (const [step, anchor] of [[0, 'start'], [steps / 2, 'middle'], [steps, 'end']]) {
      element('text', { x: x(step), y: HEIGHT - 8, 'text-anchor': anchor }, axes).textContent =
        step === 0 ? 'step 0' : String(step);
    }
    const legend = [['live-path-adam', correction.checked ? 'Adam' : 'Adam without bias correction'],
      ['live-path-gd', 'gradient descent']];
    legend.forEach(([kind, text], i) => {
      const y0 = 12 + 16 * i;
      element('line', { class: kind, x1: WIDTH - 250, x2: WIDTH - 226, y1: y0, y2: y0 }, axes);
      element('text', { x: WIDTH - 220, y: y0 + 4 }, axes).textContent = text;
    });
    element('text', { x: MARGIN.left, y: 16 }, axes).textContent = weight;
    for (const [kind, path] of [['live-path-gd', descent], ['live-path-adam', adam]]) {
      const d = Array.from(path, (w, step) => `${step ? 'L' : 'M'}${x(step).toFixed(1)},${y(w).toFixed(1)}`).join('');
      // Each weight's exact value, for the tests.
      element('path', { class: kind, d, 'data-values': Array.from(path, String).join(' ') }, svg);
    }
    const end = (path) => (path.length === steps + 1 ? short(path[steps]) : 'a loss that is not finite');
    svg.setAttribute('aria-label', `The value of ${weight} over ${steps} steps: from ${short(adam[0])} to ` +
      `${end(adam)} with Adam and to ${end(descent)} with gradient descent`);
  }

  /** Three to six round values between `lo` and `hi`, for the grid. */
  function ticks(lo, hi) {
    const raw = (hi - lo) / 5;
    const unit = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * unit).find((s) => s >= raw);
    const out = [];
    for (let w = Math.ceil(lo / step) * step; w <= hi + step * 1e-9; w += step) out.push(w);
    return out;
  }

  form.addEventListener('input', update);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    update();
  });
  update();
});
