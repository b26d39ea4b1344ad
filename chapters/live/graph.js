// Chapter 2's widget: the expression graph L = (a·b + c)·a on the crate's tape. The reader drags
// the inputs (and may put a ReLU between e and L); the crate records the graph, runs backward and
// the central differences, and this module draws what it returns. The markup is in
// chapters/02-autograd.md.

import { messageOf, mount } from './live.js';
import { element, short, show } from './plot.js';

const WIDTH = 760;
const HEIGHT = 300;
const BOX = { w: 130, h: 62 };
/** Where each node's box goes, by the first letter of its name, with and without the ReLU. */
const PLACES = {
  plain: { a: [10, 40], b: [10, 130], c: [10, 220], d: [200, 85], e: [390, 175], L: [610, 100] },
  relu: { a: [10, 40], b: [10, 130], c: [10, 220], d: [175, 85], e: [330, 175], r: [475, 175], L: [620, 100] },
};

mount(document.getElementById('live-graph'), (root, { ExpressionGraph }) => {
  const field = (name) => root.querySelector(`#live-graph-${name}`);
  const inputs = ['a', 'b', 'c'].map(field);
  const relu = field('relu');
  const form = root.querySelector('form');
  const svg = root.querySelector('svg');
  const rows = root.querySelectorAll('#live-graph-check tbody tr');
  const status = root.querySelector('.live-status');
  const error = root.querySelector('.live-error');

  function update() {
    for (const input of inputs) {
      root.querySelector(`output[for="${input.id}"]`).textContent = short(Number(input.value), 2);
    }
    error.textContent = '';
    let graph;
    try {
      graph = new ExpressionGraph(...inputs.map((input) => input.value), relu.checked);
    } catch (e) {
      error.textContent = messageOf(e);
      return;
    }
    const nodes = graph.names().split('\n').map((name, i) => ({ name, i }));
    const [values, gradients, edges, estimates] =
      [graph.values(), graph.gradients(), graph.edges(), graph.estimates()];
    graph.free();
    draw(nodes, values, gradients, edges);
    rows.forEach((row, i) => {
      show(row.querySelector('.live-backward'), gradients[i], 10);
      show(row.querySelector('.live-estimate'), estimates[i], 10);
    });
    const e = values[4];
    status.textContent = !relu.checked
      ? `L = ${short(values[values.length - 1])}. Every gradient reaches the inputs.`
      : e > 0
        ? `e = ${short(e)} > 0: the ReLU passes e on, and its local derivative is 1.`
        : `e = ${short(e)} ≤ 0: the ReLU is dead. Its local derivative is 0, so no gradient reaches e, d, b or c; a's other path, through L = r·a, carries r = 0.`;
    root.dataset.relu = relu.checked && e <= 0 ? 'dead' : relu.checked ? 'live' : 'none';
  }

  function draw(nodes, values, gradients, edges) {
    const places = PLACES[relu.checked ? 'relu' : 'plain'];
    const at = (node) => places[node.name[0]];
    svg.replaceChildren();
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    const defs = element('defs', {}, svg);
    const marker = element('marker', {
      id: 'live-graph-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto',
    }, defs);
    element('path', { d: 'M0,0 L10,5 L0,10 z', class: 'live-arrowhead' }, marker);
    // Edges first, so that the boxes cover their ends. Each edge is child, node, local derivative.
    const incoming = new Map();
    for (let k = 0; k < edges.length; k += 3) {
      const [child, node] = [nodes[edges[k]], nodes[edges[k + 1]]];
      const slot = incoming.get(node.i) ?? 0;
      incoming.set(node.i, slot + 1);
      const [cx, cy] = at(child);
      const [nx, ny] = at(node);
      const over = child.name === 'a' && node.name[0] === 'L'; // a's second use, drawn over the top
      const [x1, y1] = over ? [cx + BOX.w / 2, cy] : [cx + BOX.w, cy + BOX.h / 2];
      const [x2, y2] = over ? [nx + BOX.w / 2, ny] : [nx, ny + BOX.h / 2 + (slot === 0 ? -10 : 10)];
      const path = over
        ? `M${x1},${y1} C${x1 + 60},${y1 - 50} ${x2 - 60},${y2 - 90} ${x2},${y2}`
        : `M${x1},${y1} L${x2},${y2}`;
      element('path', { d: path, class: 'live-edge', 'marker-end': 'url(#live-graph-arrow)' }, svg);
      // The label sits at the curve's middle, which for a cubic Bézier is (P0 + 3 P1 + 3 P2 + P3) / 8.
      const [lx, ly] = over
        ? [(x1 + 3 * (x1 + 60) + 3 * (x2 - 60) + x2) / 8, (y1 + 3 * (y1 - 50) + 3 * (y2 - 90) + y2) / 8 + 4]
        : [(x1 + x2) / 2, (y1 + y2) / 2 - 4];
      show(element('text', { x: lx, y: ly, class: 'live-edge-label', 'text-anchor': 'middle' }, svg), edges[k + 2]);
    }
    for (const node of nodes) {
      const [x, y] = at(node);
      const leaf = node.i < 3;
      const dead = node.name[0] === 'r' && values[node.i - 1] <= 0;
      const kind = leaf ? 'live-node live-leaf' : dead ? 'live-node live-dead' : 'live-node';
      const group = element('g', { class: kind, 'data-node': node.name[0] }, svg);
      element('rect', { x, y, width: BOX.w, height: BOX.h, rx: 3 }, group);
      const line = (dy, kind) =>
        element('text', { x: x + BOX.w / 2, y: y + dy, 'text-anchor': 'middle', class: kind }, group);
      line(18, 'live-node-name').textContent = node.name;
      line(36, 'live-node-value').append('value ', show(element('tspan', {}), values[node.i]));
      line(54, 'live-node-grad').append('grad ', show(element('tspan', {}), gradients[node.i]));
    }
    const l = nodes.length - 1;
    svg.setAttribute('aria-label',
      `The graph of ${nodes[l].name}: L = ${short(values[l])}; ∂L/∂a = ${short(gradients[0])}, ∂L/∂b = ${short(gradients[1])}, ∂L/∂c = ${short(gradients[2])}`);
  }

  form.addEventListener('input', update);
  form.addEventListener('submit', (event) => event.preventDefault());
  update();
});
