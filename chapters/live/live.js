// The live book's shared pieces: load the crate's WebAssembly once per page, mount a widget on its
// markup, keep the model a reader trained across the book's pages, and give the browser its page
// back between chunks of work. Every number a widget shows comes from the crate (microgpt_web.js);
// this module does no model arithmetic.
//
// A widget's markup lives in its chapter: a root element holding a `.live-fallback` line (what a
// reader sees where scripts or WebAssembly cannot run) and a `.live-controls` element marked
// `hidden`, which `mount` shows once the crate is loaded. The root's `data-state` says where the
// widget is: `idle` (not yet near the screen), `loading`, `ready`, `busy`, `done` or `error`; a widget
// that shows something as soon as it is set up goes from `loading` to `busy` or `done` directly.

import init, * as exports from './microgpt_web.js';

const HOW_TO_SEE_IT_LIVE =
  'To use it, serve the book over HTTP: run `mdbook serve` in the repository and open http://localhost:3000.';

let loading = null;

/** The crate's module, loaded and instantiated on first use, once per page. */
export function crate() {
  if (loading === null) {
    loading = (async () => {
      const start = performance.now();
      await init({ module_or_path: new URL('./microgpt_web_bg.wasm', import.meta.url) });
      const ms = performance.now() - start;
      performance.mark('microgpt-wasm-ready', { detail: { ms } });
      return { ...exports, loadMs: ms };
    })();
  }
  return loading;
}

/**
 * Wires the widget whose root element is `root` when it comes near the screen: loads the crate (once
 * per page), calls `setup(root, crate)`, and shows the widget's controls. Where that fails, the
 * fallback line says why and how to see it live.
 */
export function mount(root, setup) {
  addStylesheet();
  root.dataset.state = 'idle';
  const fallback = root.querySelector('.live-fallback');
  if (fallback) fallback.textContent = 'Loading the live widget…';
  const start = async () => {
    root.dataset.state = 'loading';
    try {
      if (typeof WebAssembly !== 'object') {
        throw new Error('this browser does not run WebAssembly');
      }
      const loaded = await crate();
      await setup(root, loaded);
      root.querySelector('.live-controls').hidden = false;
      if (fallback) fallback.hidden = true;
      // When the widget became usable, in milliseconds since the page began to load.
      root.dataset.readyMs = Math.round(performance.now());
      // A widget that has already shown something (`done`, `busy`, `error`) says so itself.
      if (root.dataset.state === 'loading') root.dataset.state = 'ready';
    } catch (error) {
      root.dataset.state = 'error';
      if (fallback) {
        fallback.textContent = `This widget could not start (${messageOf(error)}). ${HOW_TO_SEE_IT_LIVE}`;
      }
    }
  };
  if (typeof IntersectionObserver !== 'function') {
    start();
    return;
  }
  // A reader who never scrolls this far never downloads the module.
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      observer.disconnect();
      start();
    }
  }, { rootMargin: '800px 0px' });
  observer.observe(root);
}

/** The text of an error thrown by the crate (a string) or by the browser (an Error). */
export function messageOf(error) {
  return typeof error === 'string' ? error : (error && error.message) || String(error);
}

function addStylesheet() {
  const href = new URL('./live.css', import.meta.url).href;
  if (![...document.styleSheets].some((sheet) => sheet.href === href)) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.append(link);
  }
}

/**
 * Resolves after the browser has had the chance to handle input and draw: a task through a
 * MessageChannel, which browsers do not delay the way they delay nested timers.
 */
export function pause() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

// The model the reader trained, kept for the other pages of the book while the tab stays open:
// the corpus, the seed and the trained weights, from which `Sampler` rebuilds it exactly.
const KEY = 'microgpt-live-model';

/** The settings of the reference run: `microgpt run` with its defaults. */
export const REFERENCE = Object.freeze({ words: null, seed: '42', steps: '1000', lr: '0.01' });

/** Keeps a trained run's model for the other pages; says so if the browser would not keep it. */
export function saveModel(settings, run) {
  const bytes = new Uint8Array(run.weights().buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  const saved = { ...settings, weights: btoa(binary), finalLoss: run.finalLoss(), mean: run.meanOfLast() };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(saved));
    return true;
  } catch {
    return false;
  }
}

/** The model of the last run trained on any page of the book in this tab, or null. */
export function savedModel() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
  if (!saved || typeof saved.weights !== 'string') return null;
  const binary = atob(saved.weights);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return { ...saved, weights: new Float64Array(bytes.buffer) };
}

/** Forgets the kept model, so that the pages go back to the reference model. */
export function forgetModel() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing was kept.
  }
}

/**
 * The model the widgets write with, and a line that says which it is: the one the reader trained
 * last in this tab, or else the reference model, trained here and now (about a tenth of a second).
 */
export async function currentModel(crate) {
  const saved = savedModel();
  if (saved) {
    try {
      const sampler = new crate.Sampler(saved.words, saved.seed, saved.weights);
      const trained = saved.finalLoss ? `: final loss ${saved.finalLoss}, ${saved.mean}` : ' (untrained)';
      const label = `The model you trained, ${describe(saved)}${trained}.`;
      return { sampler, saved: true, label };
    } catch {
      forgetModel(); // kept by another version of the page: fall back to the reference model
    }
  }
  return trainReference(crate);
}

let reference = null;

/**
 * The trained reference model, which the explorations of chapters 6 and 11 look into, and a line
 * that says where it came from: the model kept from chapter 9 when that was the reference run, or
 * else trained here (about a tenth of a second), once per page.
 */
export function referenceModel(crate) {
  if (reference === null) {
    reference = (async () => {
      const saved = savedModel();
      const same = saved && ['words', 'seed', 'steps', 'lr'].every((key) => saved[key] === REFERENCE[key]);
      if (same) {
        try {
          const sampler = new crate.Sampler(saved.words, saved.seed, saved.weights);
          return { sampler, saved: true, label: `The reference model, ${describe(REFERENCE)}, as you trained it in chapter 9: final loss ${saved.finalLoss}, ${saved.mean}.` };
        } catch {
          // kept by another version of the page: train it again
        }
      }
      return trainReference(crate);
    })();
  }
  return reference;
}

/** The reference model, trained in this page, and a line saying so. */
async function trainReference({ Run }) {
  const start = performance.now();
  const run = new Run(REFERENCE.words, REFERENCE.seed, REFERENCE.steps, REFERENCE.lr);
  while (run.train(250).length > 0) await pause();
  const ms = Math.round(performance.now() - start);
  const label = `The reference model, ${describe(REFERENCE)}, trained in this page in ${ms} ms: final loss ${run.finalLoss()}, ${run.meanOfLast()}.`;
  const sampler = run.sampler();
  run.free();
  return { sampler, saved: false, label };
}

/** How a run's settings read: its command line, `microgpt run --seed 42 --steps 1000 --lr 0.01`. */
export function describe({ words, seed, steps, lr }) {
  const data = words === null ? '' : ' --data your-words.txt';
  return `microgpt run${data} --seed ${seed} --steps ${steps} --lr ${lr}`;
}
