// Chapter 9's widget: train the crate's model in the page, `microgpt run` a chunk of steps at a time,
// drawing the loss curve between chunks. The markup is in chapters/09-training.md.

import { describe, messageOf, mount, pause, saveModel } from './live.js';
import { lossCurve } from './plot.js';

/** Steps per call into the crate: small enough to stop on time, large enough to cost nothing. */
const CHUNK = 25;
/** How long to train before letting the page draw and answer input, in milliseconds. */
const SLICE_MS = 40;

mount(document.getElementById('live-train'), (root, { Run }) => {
  const field = (name) => root.querySelector(`#live-train-${name}`);
  const [seed, steps, lr, words, button] = ['seed', 'steps', 'lr', 'words', 'run'].map(field);
  const [finalLoss, mean] = [field('final-loss'), field('mean')];
  const form = root.querySelector('form');
  const command = root.querySelector('.live-command');
  const status = root.querySelector('.live-status');
  const error = root.querySelector('.live-error');
  const result = root.querySelector('.live-result');
  const svg = root.querySelector('svg');
  let job = null;

  const ownWords = () => root.querySelector('input[name="live-train-corpus"]:checked').value === 'words';
  const settings = () => ({
    words: ownWords() ? words.value : null,
    seed: seed.value.trim(),
    steps: steps.value.trim(),
    lr: lr.value.trim(),
  });
  const showCommand = () => {
    command.textContent = describe(settings());
  };
  words.addEventListener('input', () => {
    root.querySelector('input[name="live-train-corpus"][value="words"]').checked = true;
  });
  form.addEventListener('input', showCommand);
  showCommand();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (job) {
      job.stop = true;
      return;
    }
    const chosen = settings();
    error.textContent = '';
    result.hidden = true;
    let run;
    try {
      run = new Run(chosen.words, chosen.seed, chosen.steps, chosen.lr);
    } catch (e) {
      error.textContent = messageOf(e);
      root.dataset.state = 'error';
      return;
    }
    job = { stop: false };
    root.dataset.state = 'busy';
    button.textContent = 'Stop';
    status.textContent = `Training on ${run.documents().toLocaleString('en')} documents, ${run.vocabSize()} tokens, ${run.paramCount().toLocaleString('en')} parameters…`;
    const curve = lossCurve(svg, run.steps());
    const losses = [];
    const means = [];
    let computeMs = 0;
    try {
      while (!job.stop && run.stepsTaken() < run.steps()) {
        const slice = performance.now();
        do {
          for (const loss of run.train(CHUNK)) losses.push(loss);
        } while (run.stepsTaken() < run.steps() && performance.now() - slice < SLICE_MS);
        computeMs += performance.now() - slice;
        for (const m of run.runningMeans(means.length)) means.push(m);
        curve.draw(losses, means);
        status.textContent = `Step ${run.stepsTaken().toLocaleString('en')} of ${run.steps().toLocaleString('en')}`;
        await pause();
      }
      finish(run, chosen, computeMs);
    } catch (e) {
      error.textContent = messageOf(e);
      status.textContent = `Stopped at step ${run.stepsTaken().toLocaleString('en')}.`;
      root.dataset.state = 'error';
    } finally {
      run.free();
      job = null;
      button.textContent = 'Train';
    }
  });

  function finish(run, chosen, computeMs) {
    const taken = run.stepsTaken().toLocaleString('en');
    if (job.stop) {
      status.textContent = `Stopped at step ${taken} of ${run.steps().toLocaleString('en')}: press Train to start again.`;
      root.dataset.state = 'ready';
      return;
    }
    finalLoss.textContent = run.finalLoss();
    mean.textContent = run.meanOfLast();
    result.hidden = run.steps() === 0;
    const seconds = (computeMs / 1000).toFixed(2);
    const kept = saveModel(chosen, run)
      ? "The model is kept for the sampling widget of chapter 10 while this tab stays open."
      : 'This browser would not keep the model for chapter 10 (storage full or disabled).';
    status.textContent = run.steps() > 0
      ? `Trained ${taken} steps in ${seconds} s. ${kept}`
      : `No training steps: the model is untrained. ${kept}`;
    svg.setAttribute('aria-label', `Loss curve of ${taken} steps: final loss ${run.finalLoss()}, ${run.meanOfLast()}`);
    root.dataset.trainMs = computeMs.toFixed(1);
    root.dataset.state = 'done';
  }
});
