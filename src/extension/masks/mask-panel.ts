import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostToMasks, MasksToHost, MaskView, MaskViewState } from '../../protocol/mask-messages';
import { JobCancelledError, runJob } from '../job-runner';
import { log } from '../log';
import { readSettings } from '../settings';
import { renderTimings } from '../webview/render-timings';
import { webviewHtml, webviewOptions } from '../webview/webview-html';
import { comparableModels } from './sibling-models';

export const MASKS_VIEW_TYPE = 'merino.masks';

/** M of the model's N:M pattern: from its prune report, else a MeRino output name (`model.2of4.esparse.onnx`), else the setting. */
export function groupSizeFor(model: string, reportPattern?: string): number {
  const fromReport = reportPattern && /:(\d+)$/.exec(reportPattern);
  if (fromReport) return Number(fromReport[1]);
  const m = /\.(\d+)of(\d+)\./.exec(path.basename(model));
  if (m) return Number(m[2]);
  const setting = /:(\d+)$/.exec(readSettings(vscode.Uri.file(model)).pattern);
  return setting ? Number(setting[1]) : 4;
}

function loadingMessage(model: string, view: MaskView): string {
  const layer = view.layer ?? 'the first prunable layer';
  return view.compareWith ? `Comparing ${layer} of ${path.basename(model)} with ${path.basename(view.compareWith)}…` : `Reading ${layer} of ${path.basename(model)}…`;
}

/** Lets the user pick any .onnx file to compare with; undefined when dismissed. */
async function pickModelFile(model: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: `MeRino: compare the masks of ${path.basename(model)} with…`,
    defaultUri: vscode.Uri.file(path.dirname(model)),
    filters: { 'ONNX models': ['onnx'] },
    canSelectMany: false,
  });
  return picked?.[0]?.fsPath;
}

/**
 * Wires a panel to a model: on ready and on every view change (layer, channel order, second model) reads the
 * masks in the worker, which also maps them to the original channel order and compares them.
 */
function attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, model: string, initial: MaskView): void {
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = webviewHtml(panel.webview, extensionUri, 'masks', panel.title);
  const post = (m: HostToMasks) => void panel.webview.postMessage(m);
  let view = initial;
  let generation = 0;
  const load = async (next: MaskView) => {
    view = next;
    const mine = ++generation;
    post({ type: 'loading', message: loadingMessage(model, view) });
    try {
      const [mask, candidates] = await Promise.all([
        runJob(`Reading masks of ${path.basename(model)}`, { kind: 'masks', model, layer: view.layer, order: view.order, compareWith: view.compareWith }),
        comparableModels(model),
      ]);
      if (mine === generation) post({ type: 'data', mask, groupSize: groupSizeFor(model, mask.pattern), candidates });
    } catch (e) {
      if (mine === generation) post({ type: 'error', message: e instanceof JobCancelledError ? 'Cancelled.' : (e as Error).message });
    }
  };
  panel.webview.onDidReceiveMessage(async (m: MasksToHost) => {
    if (m.type === 'ready') void load(view);
    else if (m.type === 'load') void load(m.view);
    else if (m.type === 'pickCompare') {
      const file = await pickModelFile(model);
      if (file) post({ type: 'setView', view: { ...view, compareWith: file } });
    } else if (m.type === 'rendered') {
      renderTimings.set(MASKS_VIEW_TYPE, m.ms);
      const compared = m.compareWith ? `, compared with ${path.basename(m.compareWith)}: ${m.compareError ?? `overlap ${m.overlap?.toFixed(4)}`}` : '';
      log().debug(`mask view rendered in ${m.ms.toFixed(1)} ms (${m.order} order${compared})`);
    } else if (m.type === 'error') log().error(`mask panel: ${m.message}`);
  });
}

export function showMaskPanel(extensionUri: vscode.Uri, model: string, view: MaskView = {}): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(MASKS_VIEW_TYPE, `Masks: ${path.basename(model)}`, vscode.ViewColumn.Beside, webviewOptions(extensionUri));
  attach(panel, extensionUri, model, view);
  return panel;
}

/** Restores mask panels after a reload from the model and view (layer, order, second model) their webview saved. */
export function registerMaskSerializer(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(MASKS_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state: MaskViewState | undefined) {
      if (state?.model) return attach(panel, extensionUri, state.model, { layer: state.layer, order: state.order, compareWith: state.compareWith });
      panel.webview.options = webviewOptions(extensionUri);
      panel.webview.html = webviewHtml(panel.webview, extensionUri, 'masks', panel.title);
      panel.webview.onDidReceiveMessage((m: MasksToHost) => m.type === 'ready' && void panel.webview.postMessage({ type: 'error', message: 'This mask view cannot be restored: run "MeRino: Show N:M Masks" again.' } satisfies HostToMasks));
    },
  });
}
