// The live widgets in a real browser: Debian's Chromium, headless, driven by playwright-core,
// against the built book served on 127.0.0.1. Each check uses a widget as a reader would and
// compares what the page shows with what the `microgpt` command line prints for the same options.
//
//   node test.mjs BOOK_DIR MICROGPT_BINARY SCREENSHOT_DIR WIDGET_NUMBERS
//
// BOOK_DIR is the output of `mdbook build`. WIDGET_NUMBERS is the web crate's example
// `widget_numbers`, which computes natively what the explorations of chapters 2, 4, 6, 8 and 11
// must show. It ends with one line, `browser test: N passed, N failed`, and exits non-zero if any
// check failed. .ci/web.sh runs it.

import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [bookDir, microgpt, shotDir, widgetNumbers] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!widgetNumbers) {
  console.error('usage: node test.mjs BOOK_DIR MICROGPT_BINARY SCREENSHOT_DIR WIDGET_NUMBERS');
  process.exit(2);
}
mkdirSync(shotDir, { recursive: true });
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// ---------------------------------------------------------------------------------------------
// The command line: what the page must show.

/** `microgpt run ARGS`: the names it prints, its final loss and mean, or its error. */
function cli(...args) {
  const run = spawnSync(microgpt, ['run', ...args], { encoding: 'utf8' });
  const trained = run.stderr.match(/final loss (\S+), (mean of last \d+ \S+)/);
  const error = run.stderr.match(/^error: (.*)$/m);
  return {
    names: run.stdout.split('\n').slice(0, -1),
    finalLoss: trained && trained[1],
    mean: trained && trained[2],
    error: error && error[1],
    // `trained 1000 steps in 0.03 s (31,129 steps/s)`: the rate has the more digits.
    trainMs: 1000 * Number((run.stderr.match(/trained (\d+) steps/) || [])[1]) /
      Number((run.stderr.match(/\(([\d,]+) steps\/s\)/) || [])[1]?.replaceAll(',', '')),
  };
}

/** What a widget must show, computed natively by `widget_numbers ARGS` (web/examples/). */
function native(...args) {
  const run = spawnSync(widgetNumbers, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`widget_numbers ${args.join(' ')} failed: ${run.stderr.split('\n')[1]}`);
  return JSON.parse(run.stdout);
}

// ---------------------------------------------------------------------------------------------
// The book, served on 127.0.0.1 only.

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.json': 'application/json', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8', '.ico': 'image/x-icon',
};

function serve(root) {
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      statSync(file);
    } catch {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, server }));
  });
}

// ---------------------------------------------------------------------------------------------
// Checks: each one says what it compared; a failure is reported and the next check still runs.

const results = [];
async function check(name, body) {
  try {
    const detail = await body();
    results.push(true);
    console.log(`ok    ${name}${detail ? `: ${detail}` : ''}`);
  } catch (error) {
    results.push(false);
    console.log(`FAIL  ${name}: ${error.message.split('\n')[0]}`);
  }
}

function equal(actual, expected, what) {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e) throw new Error(`${what}: the page shows ${a}, the command line ${e}`);
}

/**
 * Fails unless the numbers the page holds are the native crate's, bit for bit (a widget keeps the
 * exact value of every number it writes in `data-value`); returns them written out.
 */
function sameBits(actual, expected, what) {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: the page has ${actual.length} numbers, the crate natively ${expected.length}`);
  }
  actual.forEach((a, i) => {
    if (!Object.is(a, expected[i])) throw new Error(`${what} ${i}: the page has ${a}, the crate natively ${expected[i]}`);
  });
  return `[${actual.join(', ')}]`;
}

/** The exact numbers the elements matching `selector` hold in `data-value`. */
function exact(page, selector) {
  return page.$$eval(selector, (nodes) => nodes.map((node) => Number(node.dataset.value)));
}

/**
 * Keyboard only: for each `[id, keys]` of `steps`, moves the focus to the control `id` with Tab
 * (the first one is focused as a reader's click or Tab from the text above would) and fails unless
 * it lands there, then presses each of `keys`. Returns what it did, for the report.
 */
async function keyboardOnly(page, steps) {
  const done = [];
  for (const [i, [id, keys]] of steps.entries()) {
    if (i === 0) await page.focus(`#${id}`);
    else await page.keyboard.press('Tab');
    equal(await page.evaluate(() => document.activeElement.id), id, 'the control Tab reaches');
    for (const key of keys) await page.keyboard.press(key);
    // `ArrowLeft×5`, and letters as the word they type.
    const pressed = [];
    for (const key of keys) {
      const last = pressed[pressed.length - 1];
      if (key.length === 1 && last?.typed !== undefined) last.typed += key;
      else if (key.length === 1) pressed.push({ typed: key });
      else if (last?.key === key) last.n += 1;
      else pressed.push({ key, n: 1 });
    }
    const words = pressed.map((p) => (p.typed !== undefined ? `typed “${p.typed}”` : `${p.key}×${p.n}`));
    done.push(`${i === 0 ? '' : 'Tab to '}#${id}${words.map((w) => ` ${w}`).join('')}`);
  }
  return done.join(', ');
}

/** Opens a chapter at its widget, freshly, and waits until the widget `root` is in `states`. */
async function open(page, chapter, root, states = ['ready', 'done']) {
  await page.goto('about:blank');
  await page.goto(`${url}/${chapter}.html#play-with-it`);
  await settled(page, root, states);
}

/** Waits until the widget `root` is in one of `states`, and returns that state. */
async function settled(page, root, states) {
  const selector = states.map((s) => `${root}[data-state="${s}"]`).join(', ');
  await page.waitForSelector(selector, { timeout: 60_000 });
  return page.getAttribute(root, 'data-state');
}

/** Fills the training widget and presses Train with the mouse; returns the time to `done`. */
async function train(page, { words = null, seed, steps, lr }) {
  await page.check(`input[name="live-train-corpus"][value="${words === null ? 'builtin' : 'words'}"]`);
  if (words !== null) await page.fill('#live-train-words', words);
  await page.fill('#live-train-seed', seed);
  await page.fill('#live-train-steps', steps);
  await page.fill('#live-train-lr', lr);
  const start = Date.now();
  await page.click('#live-train-run');
  await page.waitForSelector('#live-train[data-state="busy"], #live-train[data-state="done"], #live-train[data-state="error"]');
  const state = await settled(page, '#live-train', ['done', 'error']);
  return { state, wallMs: Date.now() - start };
}

async function trainedNumbers(page) {
  return {
    finalLoss: await page.textContent('#live-train-final-loss'),
    mean: await page.textContent('#live-train-mean'),
    trainMs: Number(await page.getAttribute('#live-train', 'data-train-ms')),
  };
}

async function sampledNames(page, temperature, count) {
  await page.$eval('#live-sample-temperature', (input, value) => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, temperature);
  await page.fill('#live-sample-count', count);
  await page.click('#live-sample-run');
  await settled(page, '#live-sample', ['done', 'error']);
  const error = await page.textContent('#live-sample .live-error');
  if (error) throw new Error(`the widget says: ${error}`);
  return page.$$eval('#live-sample-names > li', (items) => items.map((li) => li.textContent));
}

/** axe-core's serious and critical findings inside `selector`, and a count of all of them. */
async function audit(page, selector) {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async (context) => {
    const result = await window.axe.run(context, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  }, selector);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    throw new Error(serious.map((v) => `${v.impact} ${v.id} (${v.nodes} elements): ${v.help}`).join('; '));
  }
  return violations.length === 0 ? 'no violations' : `only minor: ${violations.map((v) => `${v.impact} ${v.id}`).join(', ')}`;
}

// ---------------------------------------------------------------------------------------------

const { url, server } = await serve(bookDir);
const profile = mkdtempSync(path.join(os.tmpdir(), 'microgpt-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
  viewport: { width: 1000, height: 1600 },
});
const offsite = [];
const isLocal = (address) => {
  const u = new URL(address);
  return u.hostname === '127.0.0.1' || ['data:', 'blob:', 'file:'].includes(u.protocol);
};
context.on('request', (request) => {
  if (!isLocal(request.url())) offsite.push(request.url());
});
await context.route((address) => !isLocal(address.href), (route) => route.abort());

const page = context.pages()[0] ?? (await context.newPage());
const consoleErrors = [];
page.on('console', (message) => {
  if (message.type() === 'error') consoleErrors.push(message.text());
});
page.on('pageerror', (error) => consoleErrors.push(error.message));
const timings = {};

await check('chapter 9: the module is fetched only when the widget comes near the screen', async () => {
  const fetched = [];
  const listener = (request) => request.url().endsWith('.wasm') && fetched.push(request.url());
  page.on('request', listener);
  await page.goto(`${url}/09-training.html`);
  await page.waitForTimeout(1000);
  const idle = await page.getAttribute('#live-train', 'data-state');
  page.off('request', listener);
  equal([idle, fetched.length], ['idle', 0], 'the state and the .wasm requests at the top of the page');
  return 'nothing fetched at the top of the chapter';
});

await check('chapter 9: the training widget loads the crate and becomes usable', async () => {
  await page.goto('about:blank'); // a fresh load of the chapter, not a jump within the page
  await page.goto(`${url}/09-training.html#play-with-it`);
  await settled(page, '#live-train', ['ready']);
  if (!(await page.isVisible('#live-train-run')) || (await page.isVisible('#live-train .live-fallback'))) {
    throw new Error('the controls are not shown, or the fallback line still is');
  }
  timings.readyMs = Number(await page.getAttribute('#live-train', 'data-ready-ms'));
  timings.page = await page.evaluate(() => ({
    domReadyMs: Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd),
    moduleMs: Math.round(performance.getEntriesByName('microgpt-wasm-ready')[0].detail.ms),
  }));
  return `usable ${timings.readyMs} ms after a link to it began to load the page (the page's DOM ` +
    `was ready at ${timings.page.domReadyMs} ms; fetching and instantiating the module took ${timings.page.moduleMs} ms)`;
});

const reference = cli('--seed', '42', '--steps', '1000', '--lr', '0.01');
await check('chapter 9: the reference run ends at the command line\'s final loss and mean', async () => {
  const { state, wallMs } = await train(page, { seed: '42', steps: '1000', lr: '0.01' });
  equal(state, 'done', 'the widget\'s state');
  const shown = await trainedNumbers(page);
  equal([shown.finalLoss, shown.mean], [reference.finalLoss, reference.mean], 'final loss and mean');
  timings.reference = [{ trainMs: shown.trainMs, wallMs }];
  await page.locator('#live-train').screenshot({ path: path.join(shotDir, 'train-reference.png') });
  return `final loss ${shown.finalLoss}, ${shown.mean}`;
});

await check('chapter 9: the reference run again, warm', async () => {
  for (let i = 0; i < 2; i++) {
    const { wallMs } = await train(page, { seed: '42', steps: '1000', lr: '0.01' });
    timings.reference.push({ trainMs: (await trainedNumbers(page)).trainMs, wallMs });
  }
  timings.native = [0, 1, 2].map(() => cli('--seed', '42', '--steps', '1000').trainMs.toFixed(1));
  return timings.reference.map((t) => `${t.trainMs} ms in the crate (${t.wallMs} ms from click to done)`).join(', ') +
    `; the command line: ${timings.native.map((ms) => `${ms} ms`).join(', ')}`;
});

await check('chapter 9: an empty corpus shows the crate\'s error, and the widget still works', async () => {
  const { state } = await train(page, { words: ' \n \n', seed: '1', steps: '10', lr: '0.01' });
  equal(state, 'error', 'the widget\'s state');
  equal(await page.textContent('#live-train .live-error'), 'the corpus has no documents with any characters', 'the error');
  return 'the corpus has no documents with any characters';
});

await check('chapter 9: a learning rate of 0.1 diverges where the command line does', async () => {
  const expected = cli('--seed', '42', '--steps', '1000', '--lr', '0.1').error;
  const { state } = await train(page, { seed: '42', steps: '1000', lr: '0.1' });
  equal(state, 'error', 'the widget\'s state');
  equal(await page.textContent('#live-train .live-error'), expected, 'the error');
  return expected;
});

const words = ['pikachu', 'bulbasaur', 'charmander', 'squirtle', 'jigglypuff', 'meowth', 'psyduck',
  'snorlax', 'eevee', 'mewtwo', 'gengar', 'onix', 'vulpix', 'ditto', 'lapras', 'togepi'];
await check('chapter 9: the reader\'s own words train as `--data` does', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'microgpt-words-'));
  const file = path.join(dir, 'words.txt');
  writeFileSync(file, words.join('\n') + '\n');
  const expected = cli('--data', file, '--seed', '5', '--steps', '400', '--lr', '0.01');
  rmSync(dir, { recursive: true });
  const { state } = await train(page, { words: words.join('\n'), seed: '5', steps: '400', lr: '0.01' });
  equal(state, 'done', 'the widget\'s state');
  const shown = await trainedNumbers(page);
  equal([shown.finalLoss, shown.mean], [expected.finalLoss, expected.mean], 'final loss and mean');
  await page.locator('#live-train').screenshot({ path: path.join(shotDir, 'train-words.png') });
  return `final loss ${shown.finalLoss}, ${shown.mean}`;
});

const custom = cli('--seed', '7', '--steps', '300', '--lr', '0.02', '--temperature', '0.8', '--samples', '12');
await check('chapter 9: a run set up with the keyboard alone', async () => {
  await page.check('input[name="live-train-corpus"][value="builtin"]');
  await page.focus('#live-train-seed');
  for (const value of ['7', '300', '0.02']) {
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(value);
    await page.keyboard.press('Tab');
  }
  equal(await page.evaluate(() => document.activeElement.id), 'live-train-run', 'the focus after the fields');
  await page.keyboard.press('Enter');
  const state = await settled(page, '#live-train', ['done', 'error']);
  equal(state, 'done', 'the widget\'s state');
  const shown = await trainedNumbers(page);
  equal([shown.finalLoss, shown.mean], [custom.finalLoss, custom.mean], 'final loss and mean');
  return `seed 7, 300 steps, lr 0.02: final loss ${shown.finalLoss}, ${shown.mean}`;
});

await check('chapter 9: axe-core finds nothing serious in the training widget', () => audit(page, '#live-train'));

await check('chapter 10: the sampler writes the names the command line prints for the model trained in chapter 9', async () => {
  await page.goto(`${url}/10-sampling.html#play-with-it`);
  await settled(page, '#live-sample', ['ready']);
  const model = await page.textContent('#live-sample .live-model');
  if (!model.includes('--seed 7 --steps 300 --lr 0.02')) throw new Error(`the widget uses ${model}`);
  const names = await sampledNames(page, '0.8', '12');
  equal(names, custom.names, 'the names');
  await page.click('#live-sample-names > li:first-child button');
  await page.waitForSelector('#live-sample .live-steps tbody tr');
  const steps = await page.$$eval('#live-sample .live-steps tbody tr', (items) => items.length);
  equal(steps, Array.from(names[0]).length + 1, 'positions explained');
  await page.locator('#live-sample').screenshot({ path: path.join(shotDir, 'sample-trained.png') });
  return names.join(' ');
});

await check('chapter 10: axe-core finds nothing serious in the sampling widget', () => audit(page, '#live-sample'));

await check('chapter 10: the reference model writes the names of a plain `microgpt run`', async () => {
  const expected = cli();
  await page.click('#live-sample .live-reset');
  const names = await sampledNames(page, '0.5', '20');
  equal(names, expected.names, 'the names');
  await page.click('#live-sample-names > li:nth-child(3) button');
  await page.waitForSelector('#live-sample .live-steps tbody tr');
  await page.locator('#live-sample').screenshot({ path: path.join(shotDir, 'sample-reference.png') });
  return names.join(' ');
});

// ---------------------------------------------------------------------------------------------
// The explorations. Each is used with the keyboard alone (Tab to every control, arrow keys to
// change it), and what it then shows is compared with the crate run natively, bit for bit.

const keyboard = [];

await check('chapter 2: the graph\'s values, gradients and central differences, moved by keyboard to a dead ReLU', async () => {
  await open(page, '02-autograd', '#live-graph');
  keyboard.push(`chapter 2: ${await keyboardOnly(page, [
    ['live-graph-a', Array(5).fill('ArrowLeft')],
    ['live-graph-b', Array(10).fill('ArrowRight')],
    ['live-graph-c', Array(80).fill('ArrowLeft')],
    ['live-graph-relu', ['Space']],
  ])}`);
  const inputs = await Promise.all(['a', 'b', 'c'].map((x) => page.inputValue(`#live-graph-${x}`)));
  equal(inputs, ['1.5', '-2', '2'], 'the inputs after the arrow keys');
  equal(await page.getAttribute('#live-graph', 'data-relu'), 'dead', 'the ReLU');
  const expected = native('graph', ...inputs, 'true');
  const nodes = await page.$$eval('#live-graph g.live-node', (groups) =>
    groups.map((g) => Array.from(g.querySelectorAll('tspan'), (t) => Number(t.dataset.value))));
  const values = sameBits(nodes.map((n) => n[0]), expected.values, 'value of node');
  const gradients = sameBits(nodes.map((n) => n[1]), expected.gradients, 'gradient of node');
  sameBits(await exact(page, '#live-graph-check .live-backward'), expected.gradients.slice(0, 3), 'backward, input');
  const estimates = sameBits(await exact(page, '#live-graph-check .live-estimate'), expected.estimates, 'central difference, input');
  await page.locator('#live-graph').screenshot({ path: path.join(shotDir, 'graph-dead-relu.png') });
  return `a = 1.5, b = −2, c = 2 with the ReLU (${expected.names.join(', ')}): values ${values}, gradients ${gradients}, central differences ${estimates}`;
});

await check('chapter 2: the ReLU comes back to life when c brings e above 0', async () => {
  await page.focus('#live-graph-c');
  for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight'); // c = 6, e = 3
  equal(await page.getAttribute('#live-graph', 'data-relu'), 'live', 'the ReLU');
  const expected = native('graph', '1.5', '-2', await page.inputValue('#live-graph-c'), 'true');
  const gradients = sameBits(await exact(page, '#live-graph-check .live-backward'), expected.gradients.slice(0, 3), 'backward, input');
  await page.locator('#live-graph').screenshot({ path: path.join(shotDir, 'graph-live-relu.png') });
  return `c = 6: ∂L/∂(a, b, c) = ${gradients}`;
});

await check('chapter 2: axe-core finds nothing serious in the graph widget', () => audit(page, '#live-graph'));

await check('chapter 4: softmax([1, 2, 3, 4]) at T = 0.5, set with the arrow keys', async () => {
  await open(page, '04-building-blocks', '#live-softmax');
  keyboard.push(`chapter 4: ${await keyboardOnly(page, [
    ['live-softmax-logit-0', Array(10).fill('ArrowLeft')],
    ['live-softmax-logit-1', Array(10).fill('ArrowRight')],
    ['live-softmax-logit-2', Array(30).fill('ArrowRight')],
    ['live-softmax-logit-3', Array(50).fill('ArrowRight')],
    ['live-softmax-temperature', ['ArrowLeft', 'ArrowLeft']],
  ])}`);
  const logits = await Promise.all([0, 1, 2, 3].map((i) => page.inputValue(`#live-softmax-logit-${i}`)));
  equal([logits, await page.getAttribute('#live-softmax', 'data-temperature')], [['1', '2', '3', '4'], '0.5'], 'the settings');
  const expected = native('softmax', '1 2 3 4', '0.5');
  const p = sameBits(await exact(page, '#live-softmax .live-p'), expected.probabilities, 'probability');
  const h = sameBits(await exact(page, '#live-softmax-entropy'), [expected.entropy], 'entropy');
  await page.locator('#live-softmax').screenshot({ path: path.join(shotDir, 'softmax.png') });
  return `probabilities ${p}, entropy ${h} nats`;
});

await check('chapter 4: the temperature slider\'s ends show T → 0 and T → ∞', async () => {
  const ends = [];
  for (const [key, t, shot] of [['Home', '0.01', 'softmax-cold.png'], ['End', '100', 'softmax-hot.png']]) {
    await page.focus('#live-softmax-temperature');
    await page.keyboard.press(key);
    equal(await page.getAttribute('#live-softmax', 'data-temperature'), t, 'the temperature');
    const expected = native('softmax', '1 2 3 4', t);
    const p = sameBits(await exact(page, '#live-softmax .live-p'), expected.probabilities, `probability at T = ${t}`);
    const [h] = await exact(page, '#live-softmax-entropy');
    sameBits([h], [expected.entropy], `entropy at T = ${t}`);
    await page.locator('#live-softmax').screenshot({ path: path.join(shotDir, shot) });
    ends.push(`T = ${t}: ${p}, entropy ${h}`);
  }
  return ends.join('; ');
});

await check('chapter 4: axe-core finds nothing serious in the softmax widget', () => audit(page, '#live-softmax'));

await check('chapter 6: the reference model\'s attention weights for "emma", typed', async () => {
  await open(page, '06-attention', '#live-attention', ['done']);
  keyboard.push(`chapter 6: ${await keyboardOnly(page, [
    ['live-attention-name', ['ControlOrMeta+a', ...'hannah']],
    ['live-attention-run', ['Enter']],
  ])}`);
  await page.waitForSelector('#live-attention[data-name="hannah"][data-state="done"]');
  await page.locator('#live-attention').screenshot({ path: path.join(shotDir, 'attention-hannah.png') });
  await page.fill('#live-attention-name', 'emma');
  await page.press('#live-attention-name', 'Enter');
  await page.waitForSelector('#live-attention[data-name="emma"][data-state="done"]');
  const expected = native('attention', 'emma').heads;
  const rows = await page.$$eval('#live-attention table[data-head="0"] tbody tr', (trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => Number(td.dataset.value))));
  const shown = rows.map((row, t) => sameBits(row, expected[0][t], `head 0, position ${t}, weight`));
  for (let head = 1; head < expected.length; head++) {
    const all = await exact(page, `#live-attention table[data-head="${head}"] tbody td`);
    sameBits(all, expected[head].flat(), `head ${head}, weight`);
  }
  await page.locator('#live-attention').screenshot({ path: path.join(shotDir, 'attention-emma.png') });
  return `head 0 (a row per position, no cell after it): ${shown.join(' ')}; heads 1 to ${expected.length - 1} equal too`;
});

await check('chapter 6: a name the model cannot read shows the crate\'s error', async () => {
  await page.fill('#live-attention-name', 'Emma');
  await page.press('#live-attention-name', 'Enter');
  await settled(page, '#live-attention', ['error']);
  const error = await page.textContent('#live-attention .live-error');
  equal(error, 'unknown character \'E\' (U+0045) at position 0: it is not in the training vocabulary', 'the error');
  await page.fill('#live-attention-name', 'emma');
  await page.press('#live-attention-name', 'Enter');
  await page.waitForSelector('#live-attention[data-name="emma"][data-state="done"]');
  return error;
});

await check('chapter 6: axe-core finds nothing serious in the attention widget', () => audit(page, '#live-attention'));

/** The two paths the chapter 8 widget drew, and its settings. */
async function paths(page) {
  const path = (kind) => page.$eval(`#live-adam path.${kind}`, (p) => p.dataset.values.split(' ').map(Number));
  const settings = await Promise.all(['matrix', 'row', 'col', 'lr', 'beta1', 'beta2'].map((f) => page.inputValue(`#live-adam-${f}`)));
  settings.push(String(await page.isChecked('#live-adam-correction')), await page.inputValue('#live-adam-gd-lr'));
  return { adam: await path('live-path-adam'), descent: await path('live-path-gd'), settings };
}

await check('chapter 8: Adam\'s and gradient descent\'s paths of attn_wq[0][0], as the widget opens', async () => {
  await open(page, '08-adam', '#live-adam');
  const shown = await paths(page);
  const expected = native('paths', ...shown.settings);
  const adam = sameBits(shown.adam, expected.adam, 'Adam, step');
  const descent = sameBits(shown.descent, expected.descent, 'gradient descent, step');
  await page.locator('#live-adam').screenshot({ path: path.join(shotDir, 'adam.png') });
  return `${shown.settings.join(' ')}: Adam ${adam}; gradient descent ${descent}`;
});

await check('chapter 8: every setting changed with the keyboard, the bias correction off', async () => {
  keyboard.push(`chapter 8: ${await keyboardOnly(page, [
    ['live-adam-matrix', ['ArrowUp']], // from layer0.attn_wq to the option above it, lm_head
    ['live-adam-row', Array(26).fill('ArrowUp')],
    ['live-adam-col', ['ArrowUp', 'ArrowUp']],
    ['live-adam-lr', ['ArrowUp']],
    ['live-adam-beta1', Array(5).fill('ArrowLeft')],
    ['live-adam-beta2', Array(9).fill('ArrowRight')],
    ['live-adam-correction', ['Space']],
    ['live-adam-gd-lr', ['ArrowDown']],
  ])}`);
  const shown = await paths(page);
  equal(shown.settings, ['lm_head', '26', '2', '0.011', '0.8', '0.999', 'false', '0.29'], 'the settings after the keys');
  const expected = native('paths', ...shown.settings);
  const adam = sameBits(shown.adam, expected.adam, 'Adam, step');
  const descent = sameBits(shown.descent, expected.descent, 'gradient descent, step');
  await page.locator('#live-adam').screenshot({ path: path.join(shotDir, 'adam-keyboard.png') });
  return `${shown.settings.join(' ')}: Adam ${adam}; gradient descent ${descent}`;
});

await check('chapter 8: gradient descent at a learning rate of 3 diverges, with the crate\'s message', async () => {
  await page.fill('#live-adam-gd-lr', '3');
  await page.waitForFunction(() => document.querySelector('#live-adam .live-error').textContent !== '');
  const shown = await paths(page);
  const expected = native('paths', ...shown.settings);
  const error = await page.textContent('#live-adam .live-error');
  equal(error, expected.diverged, 'the message');
  sameBits(shown.descent, expected.descent, 'gradient descent, step');
  return error;
});

await check('chapter 8: axe-core finds nothing serious in the optimizer widget', () => audit(page, '#live-adam'));

await check('chapter 11: the model\'s and the letter pairs\' next character after "emm", typed', async () => {
  await open(page, '11-pipeline', '#live-next', ['done']);
  await page.locator('#live-next').screenshot({ path: path.join(shotDir, 'next-ann.png') });
  keyboard.push(`chapter 11: ${await keyboardOnly(page, [
    ['live-next-prefix', ['ControlOrMeta+a', ...'emm']],
    ['live-next-run', ['Enter']],
  ])}`);
  await page.waitForSelector('#live-next[data-prefix="emm"][data-state="done"]');
  const expected = native('next', 'emm');
  const model = sameBits(await exact(page, '#live-next rect.live-bar-model[data-token]'), expected.model, 'the model, token');
  const pairs = sameBits(await exact(page, '#live-next rect.live-bar-pairs[data-token]'), expected.bigram, 'letter pairs, token');
  await page.locator('#live-next').screenshot({ path: path.join(shotDir, 'next-emm.png') });
  return `tokens ${expected.characters} and end: the model ${model}; letter pairs ${pairs}`;
});

await check('chapter 11: axe-core finds nothing serious in the next-character widget', () => audit(page, '#live-next'));

await check('chapter 11: the reference model trained in chapter 9 is the one it uses, with the same numbers', async () => {
  await open(page, '09-training', '#live-train', ['ready']);
  await train(page, { seed: '42', steps: '1000', lr: '0.01' });
  await open(page, '11-pipeline', '#live-next', ['done']);
  const label = await page.textContent('#live-next .live-model');
  if (!label.includes('as you trained it in chapter 9')) throw new Error(`the widget says: ${label}`);
  const expected = native('next', 'ann');
  sameBits(await exact(page, '#live-next rect.live-bar-model[data-token]'), expected.model, 'the model, token');
  return label;
});

await check('a chapter opened as a file says in one line how to see the widget live', async () => {
  const file = await context.newPage();
  const lines = [];
  const widgets = [['09-training', 'live-train'], ['02-autograd', 'live-graph'], ['04-building-blocks', 'live-softmax'],
    ['06-attention', 'live-attention'], ['08-adam', 'live-adam'], ['11-pipeline', 'live-next']];
  for (const [chapter, id] of widgets) {
    await file.goto(pathToFileURL(path.join(bookDir, `${chapter}.html`)).href);
    await file.waitForTimeout(500);
    const line = await file.textContent(`#${id} .live-fallback`);
    if (!(await file.isVisible(`#${id} .live-fallback`)) || (await file.isVisible(`#${id} .live-controls`))) {
      throw new Error(`${chapter}: the fallback line is hidden, or the controls are shown`);
    }
    if (!line.includes('mdbook serve')) throw new Error(`${chapter}: the line says: ${line}`);
    if (id === 'live-train') await file.locator('#live-train').screenshot({ path: path.join(shotDir, 'train-file-url.png') });
    lines.push(line);
  }
  await file.close();
  return `${widgets.length} widgets, e.g. ${lines[0]}`;
});

// Every chapter as a reader on a laptop sees it, 1280 pixels wide with the table of contents open:
// no code block or table hides the ends of its lines (theme/wide-code.css), and axe-core finds
// nothing serious anywhere in the chapter, not only in its widgets.
const chapters = readdirSync(bookDir).filter((f) => /^(\d\d|appendix)-.*\.html$/.test(f)).sort();
const wide = await context.newPage();
await wide.setViewportSize({ width: 1280, height: 800 });

// Each chapter is loaded once; both checks below read what was found there.
const seen = [];
for (const chapter of chapters) {
  await wide.goto(`${url}/${chapter}`);
  const over = await wide.$$eval('main pre, main pre > code, main .table-wrapper', (elements) =>
    elements
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.scrollWidth - e.clientWidth} px: ${e.innerText.split('\n').reduce((a, l) => (l.length > a.length ? l : a), '').slice(0, 60)}`));
  let verdict;
  try {
    verdict = await audit(wide, 'main');
  } catch (e) {
    verdict = new Error(`${chapter}: ${e.message}`);
  }
  seen.push({ chapter, over, verdict });
  // What a reader on a laptop sees of the chapter's widest code block, and of chapter 8's typeset
  // Adam update: kept beside the widget screenshots for a person to look at.
  const number = chapter.slice(0, 2);
  if (['01', '06', '08', '14'].includes(number)) {
    await wide.$$eval('main pre', (blocks) => {
      const widest = blocks.reduce((a, b) => (b.scrollWidth > a.scrollWidth ? b : a));
      widest.scrollIntoView({ block: 'center' });
    });
    await wide.screenshot({ path: path.join(shotDir, `chapter-${number}-widest-code.png`) });
  }
  if (number === '08') {
    await wide.$$eval('main .katex-display', (formulas) => {
      // The block of Adam's update: its bias corrections, then the step.
      const update = formulas.find((f) => /bias\s+corrections/.test(f.textContent));
      if (!update) throw new Error("chapter 8 has no typeset formula with Adam's bias corrections");
      update.scrollIntoView({ block: 'center' });
    });
    await wide.screenshot({ path: path.join(shotDir, 'chapter-08-adam-update.png') });
  }
}

await check(`every chapter at 1280 px: no code block or table wider than the page shows`, async () => {
  const cut = seen.flatMap(({ chapter, over }) => over.map((o) => `${chapter} ${o}`));
  if (cut.length > 0) throw new Error(`${cut.length} blocks scroll: ${cut.join(' | ')}`);
  return `${chapters.length} chapters, every line visible`;
});

await check('every chapter at 1280 px: axe-core finds nothing serious', async () => {
  const failed = seen.find(({ verdict }) => verdict instanceof Error);
  if (failed) throw failed.verdict;
  const found = seen.filter(({ verdict }) => verdict !== 'no violations').map(({ chapter, verdict }) => `${chapter}: ${verdict}`);
  return `${chapters.length} chapters${found.length ? `; ${found.join('; ')}` : ', no violations'}`;
});
await wide.close();

await check('no console error on the served pages', async () => {
  if (consoleErrors.length > 0) throw new Error(consoleErrors.join(' | '));
});

await check('no request left 127.0.0.1', async () => {
  if (offsite.length > 0) throw new Error(offsite.join(' '));
});

await context.close();
server.close();
rmSync(profile, { recursive: true, force: true });

const steps = timings.reference || [];
console.log(`timings: first widget usable after ${timings.readyMs} ms; 1000 reference steps in the page ${steps.map((t) => `${t.trainMs} ms`).join(', ')}, natively ${(timings.native || []).map((ms) => `${ms} ms`).join(', ')}`);
console.log(`keyboard only: ${keyboard.join('; ')}`);
console.log(`screenshots in ${shotDir}`);
const failed = results.filter((ok) => !ok).length;
console.log(`browser test: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
