import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareResult } from '../../core/pipeline/compare-methods';
import type { CompareToHost, CompareViewState, HostToCompare } from '../../protocol/compare-messages';
import { renderTimings } from '../webview/render-timings';
import { webviewHtml, webviewOptions } from '../webview/webview-html';

export const COMPARE_VIEW_TYPE = 'merino.compareResults';

/** Rows the last comparison panel drew (for the extension-host tests). */
export const compareRowsShown = { count: undefined as number | undefined };

function attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, result: CompareResult | undefined): void {
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = webviewHtml(panel.webview, extensionUri, 'compare', panel.title);
  const post = (m: HostToCompare) => void panel.webview.postMessage(m);
  panel.webview.onDidReceiveMessage((m: CompareToHost) => {
    if (m.type === 'rendered') {
      renderTimings.set(COMPARE_VIEW_TYPE, m.ms);
      compareRowsShown.count = m.rows;
    } else if (m.type === 'ready') post(result ? { type: 'data', result } : { type: 'error', message: 'The comparison is no longer available: run Compare Pruning Methods again.' });
  });
}

/** Shows a `merino compare --json` result: the methods table and the mask-overlap matrix. */
export function showComparePanel(extensionUri: vscode.Uri, result: CompareResult): vscode.WebviewPanel {
  const title = `Compare: ${path.basename(result.model)}`;
  const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, title, vscode.ViewColumn.Active, webviewOptions(extensionUri));
  attach(panel, extensionUri, result);
  return panel;
}

export function registerCompareSerializer(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state: CompareViewState | undefined) {
      attach(panel, extensionUri, state?.result);
    },
  });
}
