// The N:M mask panel: one layer's mask (rows = output units, columns = K, the axis N:M groups run along),
// zoom and pan; at high zoom the group grid and every kept position. The columns are either the stored order
// (after the channel shuffle: N:M groups contiguous) or the original channel order (before it), and a second
// model's mask of the same layer can be overlaid (kept in both / only A / only B / neither).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { invertPermutation } from '../../src/core/prune/permutation';
import type { MaskOrder, MaskResult } from '../../src/protocol/job-messages';
import type { HostToMasks, MasksToHost, MaskView, MaskViewState } from '../../src/protocol/mask-messages';
import { showPanelError, themeRgb, vscodeApi } from '../shared/vscode-api';
import { isKept, OVERLAP, renderMasks, type MaskView as Viewport, type Rgb } from './render';

const api = vscodeApi<MaskViewState, MasksToHost>();
const root = document.getElementById('root')!;
let state: MaskViewState = { ...api.getState() };
let data: { mask: MaskResult; groupSize: number; candidates: string[] } | undefined;
let ui: { canvas: HTMLCanvasElement; overlay: HTMLCanvasElement; readout: HTMLElement } | undefined;
/** Inverse of the layer's K permutation: original channel → stored position. */
let storedAt: Int32Array | undefined;
const GRID_SCALE = 6;
const OTHER_FILE = '\u0000other';

function save(patch: Partial<MaskViewState>): void {
  state = { ...state, ...patch };
  api.setState(state);
}

const currentView = (): MaskView => ({ layer: state.layer, order: state.order, compareWith: state.compareWith });

/** Asks the host for a new view (layer, order, second model); zoom and pan reset on a layer change. */
function request(patch: Partial<MaskView>): void {
  const next = { ...currentView(), ...patch };
  save({ ...next, ...(patch.layer !== undefined && patch.layer !== state.layer && { scale: undefined, x0: 0, y0: 0 }) });
  api.postMessage({ type: 'load', view: next });
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;
const width = () => Math.max(200, Math.floor(root.clientWidth || 800));
const fitScale = (m: MaskResult, w: number) => Math.min(w / m.layer.K, 560 / m.layer.N);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function button(text: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

type Select = HTMLElement & { value: string; disabled: boolean };

function select(options: { value: string; label: string }[], selected: string, onChange: (value: string, s: Select) => void): Select {
  const s = document.createElement('vscode-single-select') as Select;
  for (const o of options) s.append(el('vscode-option' as 'option', { value: o.value, textContent: o.label, selected: o.value === selected }));
  s.addEventListener('change', () => onChange(s.value, s));
  return s;
}

/** Theme colours of the view: one mask (pruned, kept) and the overlap (neither, only B, only A, both). */
function palette(): { single: Rgb[]; overlap: Rgb[]; background: Rgb } {
  const background = themeRgb('--vscode-editor-background', [30, 30, 30]);
  const fg = themeRgb('--vscode-foreground', [204, 204, 204]);
  const pruned = background.map((c, i) => Math.round(c * 0.7 + fg[i]! * 0.08));
  const blue = themeRgb('--vscode-charts-blue', [55, 148, 255]);
  const orange = themeRgb('--vscode-charts-orange', [209, 134, 22]);
  const green = themeRgb('--vscode-charts-green', [137, 209, 133]);
  const overlap: Rgb[] = [];
  overlap[OVERLAP.neither] = pruned;
  overlap[OVERLAP.onlyB] = orange;
  overlap[OVERLAP.onlyA] = blue;
  overlap[OVERLAP.both] = green;
  return { single: [pruned, blue], overlap, background };
}

function toolbar(m: MaskResult, candidates: string[]): HTMLElement {
  const layers = select(m.layers.map((l) => ({ value: l.name, label: `${l.name} (${l.K}×${l.N})` })), m.layer.name, (v) => request({ layer: v }));
  layers.classList.add('layer-select');
  const permuted = Boolean(m.channels.k || m.channels.n);
  const order = select(
    [
      { value: 'stored', label: 'Stored order (after shuffle)' },
      { value: 'original', label: 'Original channel order (before shuffle)' },
    ],
    m.order,
    (v) => request({ order: v as MaskOrder }),
  );
  order.disabled = !permuted && m.order === 'stored';
  order.title = permuted ? 'Columns in stored order (N:M groups contiguous) or in the original channel order' : 'No permutation recorded for this layer: both orders are the same';
  const comparing = m.compare?.model;
  const files = [...new Set([...candidates, ...(comparing ? [comparing] : [])])];
  const compare = select(
    [{ value: '', label: 'Compare with… (none)' }, ...files.map((f) => ({ value: f, label: `Compare with ${baseName(f)}` })), { value: OTHER_FILE, label: 'Compare with another .onnx file…' }],
    comparing ?? '',
    (v, s) => {
      if (v === OTHER_FILE) {
        s.value = comparing ?? '';
        api.postMessage({ type: 'pickCompare' });
      } else request({ compareWith: v || undefined });
    },
  );
  compare.classList.add('compare-select');
  const zoom = (f: number) => () => {
    save({ scale: Math.max(fitScale(m, width()), Math.min(32, (state.scale ?? fitScale(m, width())) * f)) });
    draw();
  };
  return el('div', { className: 'toolbar' }, layers, order, compare, button('Zoom out', zoom(0.5)), button('Zoom in', zoom(2)), button('Fit', () => (save({ scale: undefined, x0: 0, y0: 0 }), draw())));
}

function describeOrder(m: MaskResult, M: number): string {
  if (m.order === 'stored') return m.channels.k ? `Columns: stored positions along K, N:M groups of ${M} contiguous (after the channel shuffle).` : `Columns: K in stored order, N:M groups of ${M} contiguous.`;
  if (!m.channels.k && !m.channels.n) return 'Original channel order = stored order for this layer (see below).';
  return `Columns: original input channels (before the shuffle)${m.channels.n ? ', rows: original output units' : ''}; the ${M} channels of one N:M group are spread out: hover a column to see its group.`;
}

function swatch(colour: Rgb): HTMLElement {
  const s = el('span', { className: 'swatch' });
  s.style.backgroundColor = `rgb(${colour.join(',')})`;
  return s;
}

/** Legend, counts and overlap fraction of a comparison, or its error (A is still drawn). */
function comparisonInfo(m: MaskResult, colours: Rgb[]): HTMLElement[] {
  const c = m.compare;
  if (!c) return [];
  const a = baseName(m.model);
  const b = baseName(c.model);
  if (c.error || !c.counts) return [el('div', { className: 'panel-error compare-error', textContent: `Cannot compare with ${b}: ${c.error ?? 'no result'}` })];
  const total = m.layer.K * m.layer.N;
  const pct = (x: number) => `${((100 * x) / total).toFixed(1)}%`;
  const item = (cat: number, label: string, count: number) => el('span', { className: 'legend-item' }, swatch(colours[cat]!), `${label}: ${count.toLocaleString()} (${pct(count)})`);
  const legend = el(
    'div',
    { className: 'legend' },
    item(OVERLAP.both, 'kept in both', c.counts.both),
    item(OVERLAP.onlyA, `only A (${a})`, c.counts.onlyA),
    item(OVERLAP.onlyB, `only B (${b})`, c.counts.onlyB),
    item(OVERLAP.neither, 'pruned in both', c.counts.neither),
  );
  const fraction = el('p', { className: 'overlap' }, el('strong', { textContent: `Overlap |A∧B| / |A| = ${c.overlap!.toFixed(4)}` }), ` for ${m.layer.name}: the share of A's kept weights that B keeps too.`);
  const missing = [m.channels.report ? '' : `A (${a})`, c.channels?.report ? '' : `B (${b})`].filter(Boolean);
  const where = missing.length
    ? `Compared in stored order for ${missing.join(' and ')}: no usable prune report, so its shuffle (if any) could not be undone and the comparison is only right if it was not shuffled.`
    : 'Compared in the original channel order: each model’s shuffle is undone with its own prune report.';
  const notes = [el('p', { className: missing.length ? 'note warning' : 'note', textContent: where })];
  if (c.channels) notes.push(el('p', { className: 'note', textContent: `B: ${c.channels.note}` }));
  return [legend, fraction, ...notes];
}

function buildUi(m: MaskResult, groupSize: number, candidates: string[]): void {
  const colours = palette();
  const summary = el('p', {
    textContent: `${m.layer.name}: K = ${m.layer.K} (columns), N = ${m.layer.N} outputs (rows), stored ${m.layer.layout}; ${(m.sparsity * 100).toFixed(2)}% zeros. ${describeOrder(m, groupSize)}${m.compare ? '' : ' Bright = kept.'}`,
  });
  const channelNote = el('p', { className: 'note channel-note', textContent: m.channels.note });
  const canvas = el('canvas', { id: 'masks' });
  const overlay = el('canvas', { id: 'masks-overlay' });
  const readout = el('div', { className: 'hover', textContent: 'Drag to pan; hover a weight for its position and group.' });
  root.replaceChildren(toolbar(m, candidates), summary, channelNote, ...comparisonInfo(m, colours.overlap), el('div', { className: 'plot' }, canvas, overlay), readout);
  ui = { canvas, overlay, readout };
  storedAt = m.channels.k && invertPermutation(m.channels.k);
  wirePointer(canvas, m, groupSize);
}

/** Display columns of the N:M group holding display column k: contiguous in stored order, spread in the original one. */
function groupColumns(m: MaskResult, M: number, k: number): number[] {
  if (m.order === 'original' && m.channels.k && storedAt) {
    const g0 = storedAt[k]! - (storedAt[k]! % M);
    return Array.from(m.channels.k.subarray(g0, g0 + M));
  }
  const g0 = k - (k % M);
  return Array.from({ length: Math.min(M, m.layer.K - g0) }, (_, i) => g0 + i);
}

function stateAt(m: MaskResult, i: number): string {
  const a = isKept(m.bits, i);
  if (!m.compare?.bits) return a ? 'kept' : 'pruned';
  const b = isKept(m.compare.bits, i);
  return a && b ? 'kept in both' : a ? 'only A keeps it' : b ? 'only B keeps it' : 'pruned in both';
}

function positionText(m: MaskResult, n: number, k: number): string {
  const { k: kp, n: np } = m.channels;
  if (m.order === 'stored') return `row ${n}${np ? ` (original output ${np[n]})` : ''}, stored k = ${k}${kp ? ` (original channel ${kp[k]})` : ''}`;
  return `output ${n}, channel ${k}${kp && storedAt ? ` (stored at k = ${storedAt[k]})` : ''}`;
}

function wirePointer(c: HTMLCanvasElement, m: MaskResult, M: number): void {
  let drag: { x: number; y: number; x0: number; y0: number } | undefined;
  c.onmousedown = (e) => (drag = { x: e.offsetX, y: e.offsetY, x0: state.x0 ?? 0, y0: state.y0 ?? 0 });
  window.onmouseup = () => (drag = undefined);
  c.onmouseleave = () => clearOverlay();
  c.onmousemove = (e) => {
    const s = state.scale ?? fitScale(m, width());
    if (drag) {
      save({ x0: Math.max(0, drag.x0 - (e.offsetX - drag.x) / s), y0: Math.max(0, drag.y0 - (e.offsetY - drag.y) / s) });
      draw();
      return;
    }
    const k = Math.floor((state.x0 ?? 0) + e.offsetX / s);
    const n = Math.floor((state.y0 ?? 0) + e.offsetY / s);
    if (k >= m.layer.K || n >= m.layer.N) return;
    const columns = groupColumns(m, M, k);
    const kept = columns.filter((j) => isKept(m.bits, n * m.layer.K + j)).length;
    const group = m.order === 'original' && m.channels.k ? `its N:M group = channels ${columns.join(', ')}` : `group k ${columns[0]}–${columns.at(-1)}`;
    ui!.readout.textContent = `${positionText(m, n, k)}: ${stateAt(m, n * m.layer.K + k)} · ${group} keeps ${kept} of ${columns.length}${m.compare?.bits ? ' in A' : ''}`;
    markColumns(columns, s);
  };
}

function clearOverlay(): void {
  const o = ui?.overlay;
  o?.getContext('2d')?.clearRect(0, 0, o.width, o.height);
}

/** Outlines the hovered group's columns on the overlay canvas (spread out in the original order). */
function markColumns(columns: number[], scale: number): void {
  const o = ui!.overlay;
  const ctx = o.getContext('2d')!;
  ctx.clearRect(0, 0, o.width, o.height);
  const [r, g, b] = themeRgb('--vscode-focusBorder', [0, 127, 212]);
  ctx.fillStyle = `rgba(${r},${g},${b},0.35)`;
  for (const k of columns) {
    const x = (k - (state.x0 ?? 0)) * scale;
    if (x + scale >= 0 && x <= o.width) ctx.fillRect(Math.floor(x), 0, Math.max(1, Math.ceil(scale)), o.height);
  }
}

function draw(): void {
  if (!data || !ui) return;
  const t0 = performance.now();
  const { mask: m, groupSize } = data;
  const w = width();
  const scale = state.scale ?? fitScale(m, w);
  const h = Math.max(50, Math.min(600, Math.ceil(m.layer.N * scale)));
  for (const c of [ui.canvas, ui.overlay]) Object.assign(c, { width: w, height: h });
  const ctx = ui.canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  const view = { x0: state.x0 ?? 0, y0: state.y0 ?? 0, scale, width: w, height: h };
  const colours = palette();
  const other = m.compare?.bits;
  renderMasks(img.data, m.bits, other, m.layer.K, m.layer.N, view, other ? colours.overlap : colours.single, colours.background);
  ctx.putImageData(img, 0, 0);
  if (scale >= GRID_SCALE) drawGrid(ctx, view, m, m.order === 'stored' || !m.channels.k ? groupSize : 0);
  root.dataset.state = 'ready';
  root.dataset.order = m.order;
  api.postMessage({ type: 'rendered', ms: performance.now() - t0, order: m.order, ...(m.compare && { compareWith: m.compare.model, overlap: m.compare.overlap, compareError: m.compare.error }) });
}

/** Column lines (every `groupSize` strong: the N:M group boundaries; 0: no contiguous groups) and faint row lines, at high zoom. */
function drawGrid(ctx: CanvasRenderingContext2D, v: Viewport, m: MaskResult, groupSize: number): void {
  const [r, g, b] = themeRgb('--vscode-foreground', [200, 200, 200]);
  ctx.lineWidth = 1;
  const line = (x0: number, y0: number, x1: number, y1: number) => {
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  };
  for (let k = Math.ceil(v.x0); k <= Math.min(m.layer.K, v.x0 + v.width / v.scale); k++) {
    ctx.strokeStyle = `rgba(${r},${g},${b},${groupSize && k % groupSize === 0 ? 0.8 : 0.15})`;
    const x = Math.round((k - v.x0) * v.scale) + 0.5;
    line(x, 0, x, v.height);
  }
  ctx.strokeStyle = `rgba(${r},${g},${b},0.15)`;
  for (let n = Math.ceil(v.y0); n <= Math.min(m.layer.N, v.y0 + v.height / v.scale); n++) {
    const y = Math.round((n - v.y0) * v.scale) + 0.5;
    line(0, y, v.width, y);
  }
}

window.addEventListener('message', (ev: MessageEvent<HostToMasks>) => {
  const msg = ev.data;
  try {
    if (msg.type === 'data') {
      data = { mask: msg.mask, groupSize: msg.groupSize, candidates: msg.candidates };
      save({ model: msg.mask.model, layer: msg.mask.layer.name, order: msg.mask.order, compareWith: msg.mask.compare?.model });
      buildUi(msg.mask, msg.groupSize, msg.candidates);
      draw();
    } else if (msg.type === 'setView') request(msg.view);
    else if (msg.type === 'loading') {
      root.dataset.state = 'loading';
      root.replaceChildren(el('p', { textContent: msg.message }));
      ui = undefined;
    } else showPanelError(root, msg.message);
  } catch (e) {
    showPanelError(root, `The mask could not be drawn: ${(e as Error).message}`);
    api.postMessage({ type: 'error', message: (e as Error).message });
  }
});
window.addEventListener('resize', () => draw());
window.addEventListener('error', (ev) => showPanelError(root, `The mask view failed: ${ev.message}`));
api.postMessage({ type: 'ready' });
