// Search results: entropy against params / FLOPs / latency (Pareto front and top-k, with the budget line),
// and the top-k table, sortable, with export buttons.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { ResultEntry, ResultsFile } from '../../src/core/merino/results-file';
import type { HostToResults, ResultsToHost, ResultsViewState } from '../../src/protocol/results-messages';
import { el, table } from '../shared/dom';
import { showPanelError, themeRgb, vscodeApi } from '../shared/vscode-api';

type Axis = NonNullable<ResultsViewState['axis']>;
const api = vscodeApi<ResultsViewState, ResultsToHost>();
const root = document.getElementById('root')!;
let state: ResultsViewState = { axis: 'params', sortKey: 'rank', sortDescending: false, ...api.getState() };
let data: Extract<HostToResults, { type: 'data' }> | undefined;

const x = (e: ResultEntry, axis: Axis) => (axis === 'params' ? e.params : axis === 'flops' ? e.flops : e.latency?.ms ?? NaN);
const budgetOf = (r: ResultsFile, axis: Axis) => (axis === 'params' ? r.budget.params : axis === 'flops' ? r.budget.flops : r.budget.latency?.ms);
const si = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(2)}G` : v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}K` : v.toFixed(1));
const AXIS_LABEL: Record<Axis, string> = { params: 'parameters', flops: 'FLOPs', latency: 'latency (ms)' };

function save(patch: Partial<ResultsViewState>): void {
  state = { ...state, ...patch };
  api.setState(state);
  render();
}

function plot(r: ResultsFile, axis: Axis): HTMLCanvasElement {
  const canvas = el('canvas') as HTMLCanvasElement;
  canvas.id = 'plot';
  const W = Math.max(320, Math.min(900, root.clientWidth || 800));
  const H = 300;
  const pad = 48;
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d')!;
  const points = [...r.pareto, ...r.top];
  const budget = budgetOf(r, axis);
  const xs = points.map((e) => x(e, axis)).filter(Number.isFinite);
  const ys = points.map((e) => e.entropy);
  const x0 = 0;
  const x1 = Math.max(...xs, budget ?? 0) * 1.05 || 1;
  const y0 = Math.min(...ys) * 0.95;
  const y1 = Math.max(...ys) * 1.02 || 1;
  const px = (v: number) => pad + ((v - x0) / (x1 - x0)) * (W - 2 * pad);
  const py = (v: number) => H - pad - 10 - ((v - y0) / (y1 - y0)) * (H - 2 * pad); // the frame spans [pad − 10, H − pad − 10]
  const [fr, fg, fb] = themeRgb('--vscode-foreground', [200, 200, 200]);
  const fore = (a: number) => `rgba(${fr},${fg},${fb},${a})`;
  ctx.strokeStyle = fore(0.5);
  ctx.fillStyle = fore(0.9);
  ctx.font = '11px sans-serif';
  ctx.strokeRect(pad, pad - 10, W - 2 * pad, H - 2 * pad);
  ctx.fillText(`${AXIS_LABEL[axis]} →`, W - pad - 80, H - 12);
  ctx.fillText('entropy ↑', 4, pad - 16);
  ctx.fillText(si(x1), W - pad - 20, H - pad + 24);
  ctx.fillText(y1.toFixed(1), 4, pad);
  ctx.fillText(y0.toFixed(1), 4, H - pad - 10);
  if (budget !== undefined) {
    const [r0, g0, b0] = themeRgb('--vscode-errorForeground', [240, 80, 80]);
    ctx.strokeStyle = `rgb(${r0},${g0},${b0})`;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(px(budget) + 0.5, pad - 10);
    ctx.lineTo(px(budget) + 0.5, H - pad - 10);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = `rgb(${r0},${g0},${b0})`;
    const label = `budget ${si(budget)}`;
    ctx.fillText(label, px(budget) + (px(budget) > W / 2 ? -ctx.measureText(label).width - 4 : 4), pad + 2);
  }
  const dot = (e: ResultEntry, colour: string, size: number) => {
    const v = x(e, axis);
    if (!Number.isFinite(v)) return;
    ctx.fillStyle = colour;
    ctx.fillRect(px(v) - size / 2, py(e.entropy) - size / 2, size, size);
  };
  r.pareto.forEach((e) => dot(e, fore(0.45), 4));
  const [ar, ag, ab] = themeRgb('--vscode-charts-blue', [55, 148, 255]);
  r.top.forEach((e) => dot(e, `rgb(${ar},${ag},${ab})`, 7));
  return canvas;
}

const COLUMNS: { key: string; label: string; value: (e: ResultEntry, i: number) => number | string }[] = [
  { key: 'rank', label: 'rank', value: (e) => e.rank },
  { key: 'entropy', label: 'entropy', value: (e) => e.entropy },
  { key: 'params', label: 'params', value: (e) => e.params },
  { key: 'flops', label: 'FLOPs', value: (e) => e.flops },
  { key: 'latency', label: 'latency ms', value: (e) => e.latency?.ms ?? NaN },
  { key: 'arch', label: 'architecture', value: (_e, i) => data!.descriptions[i] ?? '' },
];

function topTable(r: ResultsFile): HTMLElement {
  const col = COLUMNS.find((c) => c.key === state.sortKey) ?? COLUMNS[0];
  const order = r.top.map((e, i) => ({ e, i })).sort((a, b) => {
    const va = col.value(a.e, a.i);
    const vb = col.value(b.e, b.i);
    const d = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return state.sortDescending ? -d : d;
  });
  const fmt = (v: number | string, key: string) => (typeof v === 'string' ? v : key === 'rank' ? String(v) : key === 'entropy' ? v.toFixed(2) : key === 'latency' ? v.toFixed(1) : si(v));
  const t = table(['', ...COLUMNS.map((c) => `${c.label}${c.key === col.key ? (state.sortDescending ? ' ▼' : ' ▲') : ''}`)], order.map(({ e, i }) => ['', ...COLUMNS.map((c) => fmt(c.value(e, i), c.key))]), new Set([1, 2, 3, 4, 5]));
  t.querySelectorAll('th').forEach((th, j) => {
    if (j === 0) return;
    const c = COLUMNS[j - 1];
    th.classList.add('sortable');
    th.addEventListener('click', () => save({ sortKey: c.key, sortDescending: state.sortKey === c.key ? !state.sortDescending : c.key !== 'rank' }));
  });
  t.querySelectorAll('tr').forEach((tr, j) => {
    if (j === 0) return;
    const rank = order[j - 1].e.rank;
    const cell = tr.firstElementChild!;
    for (const format of ['hf', 'onnx'] as const) {
      const b = el('vscode-button', format === 'hf' ? 'HF' : 'ONNX');
      b.setAttribute('secondary', '');
      b.title = format === 'hf' ? `Export rank ${rank} as a Hugging Face config.json` : `Export rank ${rank} as an ONNX skeleton`;
      b.addEventListener('click', () => api.postMessage({ type: 'export', rank, format }));
      cell.append(b);
    }
  });
  return t;
}

function render(): void {
  if (!data) return;
  const t0 = performance.now();
  const r = data.results;
  const axes = el('div', undefined, 'toolbar');
  for (const a of ['params', 'flops', 'latency'] as Axis[]) {
    const b = el('vscode-button', `entropy vs ${AXIS_LABEL[a]}`);
    if (a !== state.axis) b.setAttribute('secondary', '');
    b.addEventListener('click', () => save({ axis: a }));
    axes.append(b);
  }
  const json = el('vscode-button', 'Open JSON');
  json.setAttribute('secondary', '');
  json.addEventListener('click', () => api.postMessage({ type: 'openJson' }));
  axes.append(json);
  const meta = el('p', `${r.name}: ${r.top.length} best of ${r.evaluated} evaluated in ${r.iterations} iterations (${(r.elapsedMs / 1000).toFixed(1)} s, seed ${r.seed}); ${r.pareto.length} on the Pareto front (grey), top ${r.top.length} in colour.`);
  root.dataset.state = 'ready';
  root.replaceChildren(el('h2', `Search results: ${data.file.split(/[\\/]/).pop()}`), axes, meta, plot(r, state.axis ?? 'params'), el('h3', `Top ${r.top.length}`), topTable(r));
  api.postMessage({ type: 'rendered', ms: performance.now() - t0 });
}

window.addEventListener('message', (ev: MessageEvent<HostToResults>) => {
  const m = ev.data;
  try {
    if (m.type === 'data') {
      data = m;
      save({ file: m.file });
    } else showPanelError(root, m.message);
  } catch (e) {
    showPanelError(root, `The results could not be shown: ${(e as Error).message}`);
  }
});
window.addEventListener('resize', () => render());
window.addEventListener('error', (ev) => showPanelError(root, `The results view failed: ${ev.message}`));
api.postMessage({ type: 'ready' });
