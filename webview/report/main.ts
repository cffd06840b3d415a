// The prune report: method and options, totals, perplexity before/after, stage times, and every layer.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { PruneReport } from '../../src/core/pipeline/prune-model';
import type { HostToReport, ReportToHost, ReportViewState } from '../../src/protocol/report-messages';
import { el, table } from '../shared/dom';
import { showPanelError, vscodeApi } from '../shared/vscode-api';

const api = vscodeApi<ReportViewState, ReportToHost>();
const root = document.getElementById('root')!;

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);

function render(r: PruneReport): void {
  const t0 = performance.now();
  const name = (p: string) => p.split(/[\\/]/).pop() ?? p;
  const open = el('vscode-button', `Open ${name(r.output)} in the inspector`);
  open.addEventListener('click', () => api.postMessage({ type: 'open', file: r.output }));
  const o = r.options;
  const summary = table(
    ['', ''],
    [
      ['Input → output', `${r.input} → ${r.output}`],
      ['Method', `${o.method} ${o.pattern ?? `unstructured ${o.sparsity}`} · α ${o.alpha} · shuffle ${o.shuffle} · apply ${o.apply}`],
      ['Calibration', r.calibration ? `${name(r.calibration.file)} · ${r.calibration.samples} × ${r.calibration.seqlen} tokens · seed ${r.calibration.seed}` : 'none (magnitude)'],
      ['Layers', `${r.totals.pruned} pruned, ${r.totals.dense} dense of ${r.totals.layers}`],
      ['Sparsity', `${pct(r.totals.sparsity)} (${r.totals.zeros.toLocaleString('en-US')} of ${r.totals.weights.toLocaleString('en-US')} weights)`],
      ['Retained score', pct(r.totals.retainedRatio)],
      ['Perplexity', r.perplexity ? `${r.perplexity.before.toFixed(3)} → ${r.perplexity.after.toFixed(3)} (${name(r.perplexity.text)}, ${r.perplexity.windows} windows)` : 'not measured (prune with --eval FILE)'],
      ['Tool', `merino ${r.version}, ${r.createdAt}`],
    ],
  );
  const stages = table(Object.keys(r.stages), [Object.values(r.stages).map(ms)], new Set(Object.keys(r.stages).map((_, i) => i)));
  const layers = table(
    ['layer', 'K × N', 'status', 'sparsity', 'retained', 'entropy mean', 'time'],
    r.layers.map((l) => [l.name, `${l.K} × ${l.N} (${l.layout})`, l.status === 'dense' ? `dense: ${l.denseReason ?? ''}` : 'pruned', pct(l.sparsity), pct(l.retainedRatio), l.entropy ? (l.entropy as { mean?: number }).mean?.toFixed(3) ?? '—' : '—', ms(l.ms)]),
    new Set([3, 4, 5, 6]),
  );
  root.dataset.state = 'ready';
  root.replaceChildren(el('h2', `Prune report: ${name(r.output)}`), open, el('h3', 'Summary'), summary, el('h3', 'Stage times'), stages, el('h3', `Layers (${r.layers.length})`), layers);
  if (r.skipped.length) root.append(el('h3', 'Not pruned'), table(['layer', 'why'], r.skipped.map((s) => [s.name, s.reason])));
  api.postMessage({ type: 'rendered', ms: performance.now() - t0 });
}

window.addEventListener('message', (ev: MessageEvent<HostToReport>) => {
  const m = ev.data;
  try {
    if (m.type === 'data') {
      api.setState({ file: m.file });
      render(m.report);
    } else showPanelError(root, m.message);
  } catch (e) {
    showPanelError(root, `The report could not be shown: ${(e as Error).message}`);
  }
});
window.addEventListener('error', (ev) => showPanelError(root, `The report view failed: ${ev.message}`));
api.postMessage({ type: 'ready' });
