// The method comparison (`merino compare --json`): the methods table and the mask-overlap matrices.
import type { CompareResult } from '../../src/core/pipeline/compare-methods';
import { COMPARE_HEADER, compareRows, compareSubtitle, overlapTables } from '../../src/cli/compare-table';
import type { CompareToHost, CompareViewState, HostToCompare } from '../../src/protocol/compare-messages';
import { el, table } from '../shared/dom';
import { showPanelError, vscodeApi } from '../shared/vscode-api';

const api = vscodeApi<CompareViewState, CompareToHost>();
const root = document.getElementById('root')!;

function render(r: CompareResult): void {
  const t0 = performance.now();
  const name = r.model.split(/[\\/]/).pop() ?? r.model;
  root.dataset.state = 'ready';
  root.replaceChildren(el('h2', `Pruning methods on ${name}`), el('p', compareSubtitle(r)), table(COMPARE_HEADER, compareRows(r), new Set([2, 3, 4, 5, 6])));
  for (const o of overlapTables(r)) {
    root.append(el('h3', `Mask overlap at ${o.target}`), el('p', 'Fraction of the row method’s kept positions that the column method keeps too.'), table(['', ...o.labels], o.rows, new Set(o.labels.map((_, i) => i + 1))));
  }
  api.postMessage({ type: 'rendered', ms: performance.now() - t0, rows: r.rows.length });
}

window.addEventListener('message', (ev: MessageEvent<HostToCompare>) => {
  const m = ev.data;
  try {
    if (m.type === 'data') {
      api.setState({ result: m.result });
      render(m.result);
    } else showPanelError(root, m.message);
  } catch (e) {
    showPanelError(root, `The comparison could not be shown: ${(e as Error).message}`);
  }
});
window.addEventListener('error', (ev) => showPanelError(root, `The comparison view failed: ${ev.message}`));
api.postMessage({ type: 'ready' });
