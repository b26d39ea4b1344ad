// Chapter 4's widget: four logits and a temperature, turned into probabilities by the crate's own
// `probabilities` (softmax(logits / T)), with the entropy of the result. The markup is in
// chapters/04-building-blocks.md.

import { messageOf, mount } from './live.js';
import { short, show } from './plot.js';

/**
 * The temperatures the slider steps through, from nearly 0 to nearly ∞: at its left end the
 * likeliest token takes all the probability, at its right end the four are all but equally likely.
 */
export const TEMPERATURES = ['0.01', '0.02', '0.05', '0.1', '0.2', '0.3', '0.5', '0.7', '1', '1.5', '2', '3', '5',
  '10', '20', '50', '100'];

mount(document.getElementById('live-softmax'), (root, { Softmax }) => {
  const logits = [0, 1, 2, 3].map((i) => root.querySelector(`#live-softmax-logit-${i}`));
  const temperature = root.querySelector('#live-softmax-temperature');
  const form = root.querySelector('form');
  const rows = root.querySelectorAll('.live-bars tbody tr');
  const entropy = root.querySelector('#live-softmax-entropy');
  const maxEntropy = root.querySelector('#live-softmax-max-entropy');
  const error = root.querySelector('.live-error');
  temperature.max = TEMPERATURES.length - 1;

  function update() {
    const t = TEMPERATURES[temperature.value];
    temperature.setAttribute('aria-valuetext', `T = ${t}`);
    root.querySelector('output[for="live-softmax-temperature"]').textContent = t;
    for (const logit of logits) {
      root.querySelector(`output[for="${logit.id}"]`).textContent = short(Number(logit.value), 1);
    }
    error.textContent = '';
    let softmax;
    try {
      softmax = new Softmax(logits.map((logit) => logit.value).join(' '), t);
    } catch (e) {
      error.textContent = messageOf(e);
      return;
    }
    const p = softmax.probabilities();
    show(entropy, softmax.entropy());
    show(maxEntropy, softmax.maxEntropy());
    softmax.free();
    rows.forEach((row, i) => {
      show(row.querySelector('.live-p'), p[i]);
      row.querySelector('.live-bar').style.setProperty('--p', p[i].toFixed(4));
    });
    root.dataset.temperature = t;
  }

  form.addEventListener('input', update);
  form.addEventListener('submit', (event) => event.preventDefault());
  update();
});
