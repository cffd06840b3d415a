// The ONNX inspector: what `merino inspect` knows about a model, MeRino's provenance metadata, and actions.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { InspectorToHost, HostToInspector } from '../../src/protocol/inspector-messages';
import { INSPECTOR_ACTIONS, type InspectorAction } from '../../src/protocol/inspector-messages';
import type { InspectResult } from '../../src/protocol/job-messages';
import { el, table } from '../shared/dom';
import { showPanelError, vscodeApi } from '../shared/vscode-api';

const api = vscodeApi<unknown, InspectorToHost>();
const root = document.getElementById('root')!;

const fmtCount = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} K` : String(n));

function section(title: string, ...content: HTMLElement[]): HTMLElement {
  const s = el('section');
  s.append(el('h3', title), ...content);
  return s;
}

function render({ summary: s, metadata, fileBytes }: InspectResult): void {
  const t0 = performance.now();
  const actions = el('div', undefined, 'toolbar');
  for (const [command, label] of Object.entries(INSPECTOR_ACTIONS)) {
    const b = el('vscode-button', label);
    b.addEventListener('click', () => api.postMessage({ type: 'action', command: command as InspectorAction }));
    actions.append(b);
  }
  const external = s.externalData.length ? s.externalData.map((d) => `${d.location} (${fmtCount(d.bytes)}B)`).join(', ') : 'none';
  const overview = table(
    ['', ''],
    [
      ['File', `${s.path} (${fmtCount(fileBytes)}B)`],
      ['Parameters', `${s.parameters.toLocaleString('en-US')} (${fmtCount(s.parameters)})`],
      ['Opsets', Object.entries(s.opsets).map(([d, v]) => `${d} ${v}`).join(', ')],
      ['IR version / producer', `${s.irVersion} / ${s.producer || '—'}`],
      ['Vocabulary / context', `${s.vocabSize ?? '—'} / ${s.contextLength ?? '—'}`],
      ['External data', external],
    ],
  );
  const io = table(['', 'name', 'dtype', 'shape'], [...s.inputs.map((v) => ['input', v.name, v.dtype, JSON.stringify(v.dims)]), ...s.outputs.map((v) => ['output', v.name, v.dtype, JSON.stringify(v.dims)])]);
  const patterns = [...new Set(s.layers.flatMap((l) => Object.keys(l.nm)))];
  const layers = table(
    ['layer', 'block', 'K × N (stored)', 'dtype', 'sparsity', ...patterns.map((p) => `${p}-ready`)],
    s.layers.map((l) => [l.name, l.block ?? '—', `${l.K} × ${l.N} (${l.layout})`, l.dtype, `${(l.sparsity * 100).toFixed(1)}%`, ...patterns.map((p) => (l.nm[p] ? '✓' : '—'))]),
  );
  const merino = Object.entries(metadata).filter(([k]) => k.startsWith('merino'));
  const meta = merino.length ? table(['key', 'value'], merino) : el('p', 'No MeRino metadata: this model was not written by MeRino.');
  const excluded = table(['node', 'op', 'why it is not pruned'], s.excluded.map((e) => [e.node, e.op, e.reason]));
  root.dataset.state = 'ready';
  root.replaceChildren(
    el('h2', s.path.split(/[\\/]/).pop()),
    actions,
    section('Model', overview),
    section('Inputs and outputs', io),
    section(`Prunable layers (${s.layers.length})`, layers),
    section('MeRino metadata', meta),
    section(`Not pruned (${s.excluded.length}${s.lmHead ? ' + lm_head' : ''})`, excluded),
  );
  api.postMessage({ type: 'rendered', ms: performance.now() - t0 });
}

window.addEventListener('message', (ev: MessageEvent<HostToInspector>) => {
  const m = ev.data;
  try {
    if (m.type === 'data') render(m.result);
    else if (m.type === 'loading') root.replaceChildren(el('p', m.message));
    else showPanelError(root, m.message);
  } catch (e) {
    showPanelError(root, `The inspector could not show this model: ${(e as Error).message}`);
  }
});
window.addEventListener('error', (ev) => showPanelError(root, `The inspector failed: ${ev.message}`));
api.postMessage({ type: 'ready' });
