// Chapter 10's widget: names from the model the reader trained in chapter 9 (or the reference model),
// at a temperature, and the probabilities behind each letter of a name the reader picks. The markup
// is in chapters/10-sampling.md.

import { currentModel, describe, forgetModel, messageOf, mount, REFERENCE, savedModel } from './live.js';
import { chips } from './plot.js';

/** How many of the likeliest next characters to show at each position of a picked name. */
const TOP = 5;

mount(document.getElementById('live-sample'), (root, crate) => {
  const field = (name) => root.querySelector(`#live-sample-${name}`);
  const [temperature, count, list, pick] = ['temperature', 'count', 'names', 'pick'].map(field);
  const [form, pickForm] = root.querySelectorAll('form');
  const shownTemperature = root.querySelector('output[for="live-sample-temperature"]');
  const modelLine = root.querySelector('.live-model');
  const reset = root.querySelector('.live-reset');
  const command = root.querySelector('.live-command');
  const next = root.querySelector('.live-next');
  const error = root.querySelector('.live-error');
  let model = null;

  const saved = savedModel();
  modelLine.textContent = saved
    ? `The model you trained: ${describe(saved)}.`
    : `The reference model, ${describe(REFERENCE)}, trained here when you first press Sample (until you train one in chapter 9).`;
  reset.hidden = !saved;
  reset.addEventListener('click', () => {
    forgetModel();
    model = null;
    reset.hidden = true;
    modelLine.textContent = `The reference model, ${describe(REFERENCE)}, trained here when you press Sample.`;
    showSettings();
    field('run').focus(); // the button that had the focus is gone
  });

  const showSettings = () => {
    shownTemperature.textContent = temperature.value;
    const settings = savedModel() ?? REFERENCE;
    command.textContent = `${describe(settings)} --temperature ${temperature.value} --samples ${count.value.trim()}`;
  };
  form.addEventListener('input', showSettings);
  showSettings();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    root.dataset.state = 'busy';
    try {
      if (model === null) {
        model = await currentModel(crate);
        modelLine.textContent = model.label;
      }
      const names = model.sampler.sample(temperature.value, count.value);
      list.replaceChildren(...names.split('\n').slice(0, -1).map(nameItem));
      next.replaceChildren();
      root.dataset.state = 'done';
    } catch (e) {
      error.textContent = messageOf(e);
      root.dataset.state = 'error';
    }
  });

  /** One `<li>` per name, whose text is the name: a button that shows how it was written. */
  function nameItem(name) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = name;
    button.setAttribute('aria-label', name === '' ? 'the empty name' : `how the model wrote ${name}`);
    button.addEventListener('click', () => {
      pick.value = name;
      explain(name);
    });
    item.append(button);
    return item;
  }

  pickForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    try {
      if (model === null) {
        model = await currentModel(crate);
        modelLine.textContent = model.label;
      }
      explain(pick.value.trim());
    } catch (e) {
      error.textContent = messageOf(e);
    }
  });

  /** For each position of `name`, the likeliest next characters and the one the name has there. */
  function explain(name) {
    const tokens = [...Array.from(model.sampler.characters()), 'end'];
    const letters = Array.from(name);
    const table = document.createElement('table');
    table.className = 'live-steps';
    table.createCaption().textContent =
      `How likely each next character was while writing “${name}”, at temperature ${temperature.value}`;
    const head = table.createTHead().insertRow();
    for (const title of ['after', 'wrote', 'the likeliest five']) {
      const cell = document.createElement('th');
      cell.scope = 'col';
      cell.textContent = title;
      head.append(cell);
    }
    const body = table.createTBody();
    try {
      for (let i = 0; i <= letters.length; i++) {
        const prefix = letters.slice(0, i).join('');
        const wrote = i < letters.length ? letters[i] : 'end';
        const p = model.sampler.nextProbabilities(prefix, temperature.value);
        const ranked = tokens.map((token, id) => [token, p[id], token === wrote]).sort((a, b) => b[1] - a[1]);
        const row = body.insertRow();
        const after = document.createElement('th');
        after.scope = 'row';
        after.textContent = i === 0 ? '(start)' : prefix;
        row.append(after);
        const chosen = ranked.find((r) => r[2]);
        chips(row.insertCell(), [chosen]);
        chips(row.insertCell(), ranked.slice(0, TOP));
      }
    } catch (e) {
      error.textContent = messageOf(e);
      return;
    }
    next.replaceChildren(table);
  }
});
