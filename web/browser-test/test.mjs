// The live widgets in a real browser: Debian's Chromium, headless, driven by playwright-core,
// against the built book served on 127.0.0.1. Each check uses a widget as a reader would and
// compares what the page shows with what the `microgpt` command line prints for the same options.
//
//   node test.mjs BOOK_DIR MICROGPT_BINARY SCREENSHOT_DIR
//
// BOOK_DIR is the output of `mdbook build`. It ends with one line, `browser test: N passed, N failed`,
// and exits non-zero if any check failed. .ci/web.sh runs it.

import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [bookDir, microgpt, shotDir] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!shotDir) {
  console.error('usage: node test.mjs BOOK_DIR MICROGPT_BINARY SCREENSHOT_DIR');
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

await check('a chapter opened as a file says in one line how to see the widget live', async () => {
  const file = await context.newPage();
  await file.goto(pathToFileURL(path.join(bookDir, '09-training.html')).href);
  await file.waitForTimeout(500);
  const line = await file.textContent('#live-train .live-fallback');
  if (!(await file.isVisible('#live-train .live-fallback')) || (await file.isVisible('#live-train-run'))) {
    throw new Error('the fallback line is hidden, or the controls are shown');
  }
  if (!line.includes('mdbook serve')) throw new Error(`the line says: ${line}`);
  await file.locator('#live-train').screenshot({ path: path.join(shotDir, 'train-file-url.png') });
  await file.close();
  return line;
});

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
console.log(`screenshots in ${shotDir}`);
const failed = results.filter((ok) => !ok).length;
console.log(`browser test: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
