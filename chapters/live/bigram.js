// Chapter 11's widget: for a prefix the reader types, the trained reference model's probabilities
// for the next character, beside those of the letter-pair (bigram) table counted in the names the
// model trained on. The crate computes both; this module draws them as bars. The markup is in
// chapters/11-pipeline.md.

import { messageOf, mount, REFERENCE, referenceModel } from './live.js';
import { element } from './plot.js';

const WIDTH = 640;
const HEIGHT = 230;
const MARGIN = { left: 40, right: 8, top: 40, bottom: 26 };
/** How many of each model's likeliest next characters the line under the chart names. */
const TOP = 3;

mount(document.getElementById('live-next'), (root, crate) => {
  const prefix = root.querySelector('#live-next-prefix');
  const form = root.querySelector('form');
  const svg = root.querySelector('svg');
  const summary = root.querySelector('.live-summary');
  const modelLine = root.querySelector('.live-model');
  const error = root.querySelector('.live-error');
  let bigram = null;

  async function update() {
    const text = prefix.value.trim();
    root.dataset.state = 'busy';
    error.textContent = '';
    try {
      const model = await referenceModel(crate);
      modelLine.textContent = model.label;
      bigram ??= new crate.Bigram(REFERENCE.words, REFERENCE.seed, REFERENCE.steps);
      const tokens = [...Array.from(model.sampler.characters()), 'end'];
      const fromModel = model.sampler.nextProbabilities(text, '1');
      const fromPairs = bigram.nextProbabilities(text);
      draw(tokens, fromModel, fromPairs);
      const last = Array.from(text).pop();
      summary.textContent = `After “${text}”, the model: ${likeliest(tokens, fromModel)}. ` +
        `After ${last === undefined ? 'BOS' : `“${last}”`}, the letter pairs: ${likeliest(tokens, fromPairs)}.`;
      root.dataset.prefix = text;
      root.dataset.state = 'done';
    } catch (e) {
      error.textContent = messageOf(e);
      root.dataset.state = 'error';
    }
  }

  function likeliest(tokens, p) {
    const ranked = tokens.map((token, i) => [token, p[i]]).sort((a, b) => b[1] - a[1]).slice(0, TOP);
    return ranked.map(([token, q]) => `${token} ${(q * 100).toFixed(0)}%`).join(', ');
  }

  function draw(tokens, fromModel, fromPairs) {
    svg.replaceChildren();
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    const top = Math.max(0.1, Math.ceil(Math.max(...fromModel, ...fromPairs) * 10) / 10);
    const slot = (WIDTH - MARGIN.left - MARGIN.right) / tokens.length;
    const y = (p) => HEIGHT - MARGIN.bottom - (p / top) * (HEIGHT - MARGIN.top - MARGIN.bottom);
    const axes = element('g', { class: 'live-axes' }, svg);
    for (let tick = 0; tick <= top * 10 + 1e-9; tick += top > 0.5 ? 2 : 1) {
      const p = tick / 10;
      element('line', { class: 'live-grid', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(p), y2: y(p) }, axes);
      element('text', { x: MARGIN.left - 6, y: y(p) + 4, 'text-anchor': 'end' }, axes).textContent = `${tick * 10}%`;
    }
    const legend = [['live-bar-model', 'the model'], ['live-bar-pairs', 'letter pairs']];
    legend.forEach(([kind, text], i) => {
      element('rect', { class: kind, x: WIDTH - 150, y: 6 + 16 * i, width: 12, height: 10 }, axes);
      element('text', { x: WIDTH - 132, y: 15 + 16 * i }, axes).textContent = text;
    });
    tokens.forEach((token, i) => {
      const x0 = MARGIN.left + i * slot;
      element('text', { x: x0 + slot / 2, y: HEIGHT - 8, 'text-anchor': 'middle' }, axes).textContent =
        token === 'end' ? '⏎' : token;
      for (const [kind, p, dx] of [['live-bar-model', fromModel[i], 0.12], ['live-bar-pairs', fromPairs[i], 0.5]]) {
        const bar = element('rect', {
          class: kind, x: x0 + dx * slot, y: y(p), width: 0.38 * slot, height: y(0) - y(p), 'data-token': token,
        }, svg);
        bar.dataset.value = String(p);
      }
    });
    svg.setAttribute('aria-label', 'The next character: the model’s probabilities beside the letter pairs’, ' +
      'for a to z and the end of the name (⏎)');
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    update();
  });
  prefix.addEventListener('input', update);
  update();
});
