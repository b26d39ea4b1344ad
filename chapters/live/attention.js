// Chapter 6's widget: the trained reference model's attention weights while it reads a name the
// reader types, one table per head, from the crate's `Gpt::attention_maps`. A row is a position
// reading the name so far; its cells are the weights it gives the positions it can see, which sum
// to 1. The positions after it have no cell at all: when that row was computed they did not exist.
// The markup is in chapters/06-attention.md.

import { messageOf, mount, referenceModel } from './live.js';

mount(document.getElementById('live-attention'), (root, crate) => {
  const name = root.querySelector('#live-attention-name');
  const form = root.querySelector('form');
  const heads = root.querySelector('.live-heads');
  const modelLine = root.querySelector('.live-model');
  const error = root.querySelector('.live-error');

  async function update() {
    const text = name.value.trim();
    root.dataset.state = 'busy';
    error.textContent = '';
    try {
      const model = await referenceModel(crate);
      modelLine.textContent = model.label;
      const maps = model.sampler.attention(text);
      const labels = maps.labels().split('\n');
      const tables = [];
      for (let head = 0; head < maps.heads(); head++) {
        tables.push(heatmap(head, labels, (query) => maps.weights(0, head, query)));
      }
      maps.free();
      heads.replaceChildren(...tables);
      root.dataset.name = text;
      root.dataset.state = 'done';
    } catch (e) {
      error.textContent = messageOf(e);
      root.dataset.state = 'error';
    }
  }

  /** One head's weights as a table: a row per position reading, a cell per position it sees. */
  function heatmap(head, labels, weightsOf) {
    const table = document.createElement('table');
    table.className = 'live-heatmap';
    table.dataset.head = head;
    table.createCaption().textContent = `head ${head}`;
    const top = table.createTHead().insertRow();
    top.append(document.createElement('td'));
    for (const label of labels) {
      const cell = document.createElement('th');
      cell.scope = 'col';
      cell.textContent = label;
      top.append(cell);
    }
    const body = table.createTBody();
    labels.forEach((label, query) => {
      const row = body.insertRow();
      const reading = document.createElement('th');
      reading.scope = 'row';
      reading.textContent = label;
      row.append(reading);
      for (const weight of weightsOf(query)) {
        const cell = row.insertCell();
        cell.textContent = weight.toFixed(2);
        cell.dataset.value = String(weight);
        cell.style.setProperty('--w', weight.toFixed(3));
      }
    });
    return table;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    update();
  });
  name.addEventListener('input', update);
  update();
});
