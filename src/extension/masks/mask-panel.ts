import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostToMasks, MasksToHost, MaskViewState } from '../../protocol/mask-messages';
import { JobCancelledError, runJob } from '../job-runner';
import { log } from '../log';
import { readSettings } from '../settings';
import { renderTimings } from '../webview/render-timings';
import { webviewHtml, webviewOptions } from '../webview/webview-html';

export const MASKS_VIEW_TYPE = 'merino.masks';

/** M of the model's N:M pattern: from a MeRino output name (`model.2of4.esparse.onnx`), else the setting. */
export function groupSizeFor(model: string): number {
  const m = /\.(\d+)of(\d+)\./.exec(path.basename(model));
  if (m) return Number(m[2]);
  const setting = /:(\d+)$/.exec(readSettings(vscode.Uri.file(model)).pattern);
  return setting ? Number(setting[1]) : 4;
}

/** Wires a panel to a model: on ready and on every layer change, reads the layer's mask in the worker. */
function attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, model: string, firstLayer?: string): void {
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = webviewHtml(panel.webview, extensionUri, 'masks', panel.title);
  const post = (m: HostToMasks) => void panel.webview.postMessage(m);
  const load = async (layer?: string) => {
    post({ type: 'loading', message: `Reading ${layer ?? 'the first prunable layer'} of ${path.basename(model)}…` });
    try {
      const mask = await runJob(`Reading masks of ${path.basename(model)}`, { kind: 'masks', model, layer });
      post({ type: 'data', mask, groupSize: groupSizeFor(model) });
    } catch (e) {
      post({ type: 'error', message: e instanceof JobCancelledError ? 'Cancelled.' : (e as Error).message });
    }
  };
  panel.webview.onDidReceiveMessage((m: MasksToHost) => {
    if (m.type === 'ready') void load(firstLayer);
    else if (m.type === 'layer') void load(m.name);
    else if (m.type === 'rendered') {
      renderTimings.set(MASKS_VIEW_TYPE, m.ms);
      log().debug(`mask view rendered in ${m.ms.toFixed(1)} ms`);
    }
    else if (m.type === 'error') log().error(`mask panel: ${m.message}`);
  });
}

export function showMaskPanel(extensionUri: vscode.Uri, model: string, layer?: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(MASKS_VIEW_TYPE, `Masks: ${path.basename(model)}`, vscode.ViewColumn.Beside, webviewOptions(extensionUri));
  attach(panel, extensionUri, model, layer);
  return panel;
}

/** Restores mask panels after a reload from the model and layer their webview saved. */
export function registerMaskSerializer(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(MASKS_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state: MaskViewState | undefined) {
      if (state?.model) return attach(panel, extensionUri, state.model, state.layer);
      panel.webview.options = webviewOptions(extensionUri);
      panel.webview.html = webviewHtml(panel.webview, extensionUri, 'masks', panel.title);
      panel.webview.onDidReceiveMessage((m: MasksToHost) => m.type === 'ready' && void panel.webview.postMessage({ type: 'error', message: 'This mask view cannot be restored: run "MeRino: Show N:M Masks" again.' } satisfies HostToMasks));
    },
  });
}
