// The entropy heatmap panel: layers × channels of entropy, RMS or the E-Sparse channel score, drawn on a canvas.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { HEATMAP_METRICS, METRIC_LABELS, type HeatmapData, type HeatmapMetric, type HeatmapToHost, type HeatmapViewState, type HostToHeatmap } from '../../src/protocol/heatmap-messages';
import { viridisLut } from '../shared/colormap';
import { showPanelError, themeRgb, vscodeApi } from '../shared/vscode-api';
import { type DisplayRow, displayRange, renderRows, sortedChannels, sortRows } from './render';

const api = vscodeApi<HeatmapViewState, HeatmapToHost>();
const LUT = viridisLut();
const root = document.getElementById('root')!;
let state: HeatmapViewState = { metric: 'entropy', sorted: false, zoom: 1, start: 0, ...api.getState() };
let data: HeatmapData | undefined;
let rowsCache = new Map<string, DisplayRow[]>();

function saveState(patch: Partial<HeatmapViewState>): void {
  state = { ...state, ...patch };
  api.setState(state);
}

function rowsFor(metric: HeatmapMetric, sorted: boolean): DisplayRow[] {
  const key = `${metric}:${sorted}`;
  let rows = rowsCache.get(key);
  if (!rows) {
    const d = data!;
    const values = d.metrics[metric];
    const plain = d.rows.map((_, r) => ({ values: values.subarray(d.rowOffsets[r], d.rowOffsets[r + 1]) }));
    rows = sorted ? sortRows(plain) : plain;
    rowsCache.set(key, rows);
  }
  return rows;
}

const maxChannels = () => data!.rows.reduce((m, _, r) => Math.max(m, data!.rowOffsets[r + 1] - data!.rowOffsets[r]), 0);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** The toolbar's controls (@vscode-elements): metric, sort, zoom. Built after the first paint, which they would delay. */
function fillToolbar(toolbar: HTMLElement): void {
  const select = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  for (const m of HEATMAP_METRICS) select.append(el('vscode-option' as 'option', { value: m, textContent: METRIC_LABELS[m], selected: m === state.metric }));
  select.addEventListener('change', () => update({ metric: select.value as HeatmapMetric }));
  const sort = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean; label: string };
  sort.label = 'Sort channels by value';
  sort.checked = state.sorted;
  sort.addEventListener('change', () => update({ sorted: sort.checked, start: 0 }));
  const button = (text: string, onClick: () => void) => {
    const b = document.createElement('vscode-button');
    b.textContent = text;
    b.setAttribute('secondary', '');
    b.addEventListener('click', onClick);
    return b;
  };
  const zoomIn = button('Zoom in', () => update({ zoom: Math.min(state.zoom * 2, maxChannels()) }));
  const zoomOut = button('Zoom out', () => update({ zoom: Math.max(1, state.zoom / 2) }));
  const fit = button('Fit', () => update({ zoom: 1, start: 0 }));
  toolbar.append(select, sort, zoomOut, zoomIn, fit);
}

/** Builds the page: title, toolbar (filled later), legend, row labels, canvas and the hover readout. */
function buildUi(): { canvas: HTMLCanvasElement; labels: HTMLElement; legend: HTMLCanvasElement; legendText: HTMLElement; hover: HTMLElement; toolbar: HTMLElement } {
  const toolbar = el('div', { className: 'toolbar' });
  const legend = el('canvas', { id: 'legend', width: 256, height: 12 });
  const legendText = el('span', { className: 'legend-text' });
  const hover = el('div', { className: 'hover', id: 'hover', textContent: 'Hover a cell for layer, channel and value.' });
  const labels = el('div', { className: 'labels' });
  const canvas = el('canvas', { id: 'heatmap' });
  const body = el('div', { className: 'body' }, labels, el('div', { className: 'plot' }, canvas));
  root.replaceChildren(el('h2', { textContent: data!.title }), toolbar, el('div', { className: 'legend' }, legend, legendText), body, hover);
  return { canvas, labels, legend, legendText, hover, toolbar };
}

let ui: ReturnType<typeof buildUi> | undefined;

function update(patch: Partial<HeatmapViewState>): void {
  saveState(patch);
  draw();
}

function draw(): void {
  if (!data || !ui) return;
  const t0 = performance.now();
  const rows = rowsFor(state.metric, state.sorted);
  const channels = maxChannels();
  const span = Math.max(1, Math.floor(channels / state.zoom));
  const start = Math.max(0, Math.min(state.start, channels - span));
  const width = Math.max(100, Math.floor(ui.canvas.parentElement!.clientWidth || 800));
  const rowHeight = Math.max(4, Math.min(24, Math.floor(480 / Math.max(1, rows.length))));
  const { canvas } = ui;
  canvas.width = width;
  canvas.height = rowHeight * rows.length;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(width, canvas.height);
  const range = displayRange(data.metrics[state.metric]);
  renderRows(image.data, rows, { start, span, width, rowHeight }, range, LUT, themeRgb('--vscode-editor-background', [30, 30, 30]));
  ctx.putImageData(image, 0, 0);
  ui.labels.replaceChildren(
    ...data.rows.map((r) => {
      const label = el('div', { className: 'label', textContent: r, title: r });
      label.style.height = label.style.lineHeight = `${rowHeight}px`;
      return label;
    }),
  );
  drawLegend(range);
  canvas.onmousemove = (ev) => hoverAt(ev, rows, start, span, width, rowHeight);
  canvas.onwheel = (ev) => {
    if (state.zoom <= 1) return;
    ev.preventDefault();
    const step = Math.round(((ev.deltaX || ev.deltaY) / width) * span);
    update({ start: Math.max(0, Math.min(channels - span, start + step)) });
  };
  root.dataset.state = 'ready';
  api.postMessage({ type: 'rendered', ms: performance.now() - t0 });
}

function drawLegend(range: { lo: number; hi: number }): void {
  const ctx = ui!.legend.getContext('2d')!;
  const img = ctx.createImageData(256, 12);
  for (let x = 0; x < 256; x++) for (let y = 0; y < 12; y++) img.data.set([LUT[x * 3], LUT[x * 3 + 1], LUT[x * 3 + 2], 255], (y * 256 + x) * 4);
  ctx.putImageData(img, 0, 0);
  ui!.legendText.textContent = `${METRIC_LABELS[state.metric]}: ${fmt(range.lo)} … ${fmt(range.hi)} (1st–99th percentile)${state.metric === 'score' ? `, α = ${data!.alpha}` : ''}`;
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : v.toFixed(3));

function hoverAt(ev: MouseEvent, rows: DisplayRow[], start: number, span: number, width: number, rowHeight: number): void {
  const r = Math.floor(ev.offsetY / rowHeight);
  const i = start + Math.floor((ev.offsetX * span) / width);
  const row = rows[r];
  if (!row || i >= row.values.length) return;
  const channel = row.source ? sortedChannels(row)[i] : i;
  ui!.hover.textContent = `${data!.rows[r]} · channel ${channel} · ${METRIC_LABELS[state.metric]} ${fmt(row.values[i])}`;
}

function show(d: HeatmapData): void {
  data = d;
  rowsCache = new Map();
  ui = buildUi();
  draw();
  const toolbar = ui.toolbar;
  requestAnimationFrame(() => setTimeout(() => fillToolbar(toolbar), 0)); // after the heatmap's first frame
}

window.addEventListener('message', (ev: MessageEvent<HostToHeatmap>) => {
  const m = ev.data;
  try {
    if (m.type === 'data') {
      saveState({ statsFile: m.statsFile }); // the serializer restores the panel from it after a reload
      show(m.data);
    }
    else if (m.type === 'error') showPanelError(root, m.message);
    else if (m.type === 'loading') root.replaceChildren(Object.assign(document.createElement('p'), { textContent: m.message }));
  } catch (e) {
    showPanelError(root, `The heatmap could not be drawn: ${(e as Error).message}`);
    api.postMessage({ type: 'error', message: (e as Error).message });
  }
});
window.addEventListener('resize', () => draw());
window.addEventListener('error', (ev) => showPanelError(root, `The heatmap failed: ${ev.message}`));
api.postMessage({ type: 'ready' });
