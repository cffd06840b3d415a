// The N:M mask panel: one layer's mask (rows = output units, columns = K, the axis N:M groups run along),
// zoom and pan; at high zoom the group grid and every kept position.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { MaskResult } from '../../src/protocol/job-messages';
import type { HostToMasks, MasksToHost, MaskViewState } from '../../src/protocol/mask-messages';
import { showPanelError, themeRgb, vscodeApi } from '../shared/vscode-api';
import { isKept, renderMask } from './render';

const api = vscodeApi<MaskViewState, MasksToHost>();
const root = document.getElementById('root')!;
let state: MaskViewState = { ...api.getState() };
let mask: MaskResult | undefined;
let groupSize = 4;
let canvas: HTMLCanvasElement | undefined;
let readout: HTMLElement | undefined;
const GRID_SCALE = 6;

function save(patch: Partial<MaskViewState>): void {
  state = { ...state, ...patch };
  api.setState(state);
}

function fitScale(m: MaskResult, width: number): number {
  return Math.min(width / m.layer.K, 560 / m.layer.N);
}

function button(text: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

function buildUi(m: MaskResult): void {
  const select = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  for (const l of m.layers) {
    const o = document.createElement('vscode-option') as HTMLElement & { value: string; selected: boolean };
    o.value = l.name;
    o.textContent = `${l.name} (${l.K}×${l.N})`;
    o.selected = l.name === m.layer.name;
    select.append(o);
  }
  select.addEventListener('change', () => {
    save({ layer: select.value, scale: undefined, x0: 0, y0: 0 });
    api.postMessage({ type: 'layer', name: select.value });
  });
  const zoom = (f: number) => () => {
    const s = (state.scale ?? 1) * f;
    save({ scale: Math.max(fitScale(m, width()), Math.min(32, s)) });
    draw();
  };
  const toolbar = document.createElement('div');
  toolbar.className = 'toolbar';
  toolbar.append(select, button('Zoom out', zoom(0.5)), button('Zoom in', zoom(2)), button('Fit', () => (save({ scale: undefined, x0: 0, y0: 0 }), draw())));
  const summary = document.createElement('p');
  summary.textContent = `${m.layer.name}: K = ${m.layer.K} (columns, N:M groups of ${groupSize} along it), N = ${m.layer.N} outputs (rows), stored ${m.layer.layout}; ${(m.sparsity * 100).toFixed(2)}% zeros. Bright = kept.`;
  canvas = document.createElement('canvas');
  canvas.id = 'masks';
  readout = document.createElement('div');
  readout.className = 'hover';
  readout.textContent = 'Drag to pan; hover a weight for its position and group.';
  const plot = document.createElement('div');
  plot.className = 'plot';
  plot.append(canvas);
  root.replaceChildren(toolbar, summary, plot, readout);
  wirePan(canvas, m);
}

const width = () => Math.max(200, Math.floor(root.clientWidth || 800));

function wirePan(c: HTMLCanvasElement, m: MaskResult): void {
  let drag: { x: number; y: number; x0: number; y0: number } | undefined;
  c.onmousedown = (e) => (drag = { x: e.offsetX, y: e.offsetY, x0: state.x0 ?? 0, y0: state.y0 ?? 0 });
  window.onmouseup = () => (drag = undefined);
  c.onmousemove = (e) => {
    const s = state.scale ?? fitScale(m, width());
    if (drag) {
      save({ x0: Math.max(0, drag.x0 - (e.offsetX - drag.x) / s), y0: Math.max(0, drag.y0 - (e.offsetY - drag.y) / s) });
      draw();
      return;
    }
    const k = Math.floor((state.x0 ?? 0) + e.offsetX / s);
    const n = Math.floor((state.y0 ?? 0) + e.offsetY / s);
    if (k < m.layer.K && n < m.layer.N) {
      const g = Math.floor(k / groupSize) * groupSize;
      let kept = 0;
      for (let j = g; j < Math.min(g + groupSize, m.layer.K); j++) if (isKept(m.bits, n * m.layer.K + j)) kept++;
      readout!.textContent = `output n = ${n}, k = ${k}: ${isKept(m.bits, n * m.layer.K + k) ? 'kept' : 'pruned'} · group k ${g}–${g + groupSize - 1} keeps ${kept} of ${groupSize}`;
    }
  };
}

function draw(): void {
  if (!mask || !canvas) return;
  const t0 = performance.now();
  const m = mask;
  const w = width();
  const scale = state.scale ?? fitScale(m, w);
  const h = Math.max(50, Math.min(600, Math.ceil(m.layer.N * scale)));
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  const view = { x0: state.x0 ?? 0, y0: state.y0 ?? 0, scale, width: w, height: h };
  const fg = themeRgb('--vscode-charts-blue', [55, 148, 255]);
  const bg = themeRgb('--vscode-editor-background', [30, 30, 30]);
  const pruned = bg.map((c, i) => Math.round(c * 0.7 + fg[i] * 0.08));
  renderMask(img.data, m.bits, m.layer.K, m.layer.N, view, fg, pruned, bg);
  ctx.putImageData(img, 0, 0);
  if (scale >= GRID_SCALE) drawGrid(ctx, view, m);
  root.dataset.state = 'ready';
  api.postMessage({ type: 'rendered', ms: performance.now() - t0 });
}

/** Group boundaries every M columns (strong) and row lines (faint), at high zoom only. */
function drawGrid(ctx: CanvasRenderingContext2D, v: { x0: number; y0: number; scale: number; width: number; height: number }, m: MaskResult): void {
  const [r, g, b] = themeRgb('--vscode-foreground', [200, 200, 200]);
  ctx.lineWidth = 1;
  for (let k = Math.ceil(v.x0); k <= Math.min(m.layer.K, v.x0 + v.width / v.scale); k++) {
    ctx.strokeStyle = `rgba(${r},${g},${b},${k % groupSize === 0 ? 0.8 : 0.15})`;
    const x = Math.round((k - v.x0) * v.scale) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, v.height);
    ctx.stroke();
  }
  ctx.strokeStyle = `rgba(${r},${g},${b},0.15)`;
  for (let n = Math.ceil(v.y0); n <= Math.min(m.layer.N, v.y0 + v.height / v.scale); n++) {
    const y = Math.round((n - v.y0) * v.scale) + 0.5;
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(v.width, y);
    ctx.stroke();
  }
}

window.addEventListener('message', (ev: MessageEvent<HostToMasks>) => {
  const msg = ev.data;
  try {
    if (msg.type === 'data') {
      mask = msg.mask;
      groupSize = msg.groupSize;
      save({ model: msg.mask.model, layer: msg.mask.layer.name });
      buildUi(msg.mask);
      draw();
    } else if (msg.type === 'loading') {
      root.dataset.state = 'loading';
      const p = document.createElement('p');
      p.textContent = msg.message;
      root.replaceChildren(p);
    } else showPanelError(root, msg.message);
  } catch (e) {
    showPanelError(root, `The mask could not be drawn: ${(e as Error).message}`);
    api.postMessage({ type: 'error', message: (e as Error).message });
  }
});
window.addEventListener('resize', () => draw());
window.addEventListener('error', (ev) => showPanelError(root, `The mask view failed: ${ev.message}`));
api.postMessage({ type: 'ready' });
