import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeArch } from '../../core/merino/architecture';
import { entryArch, readResults } from '../../core/merino/results-file';
import type { HostToResults, ResultsToHost, ResultsViewState } from '../../protocol/results-messages';
import { renderTimings } from '../webview/render-timings';
import { webviewHtml, webviewOptions } from '../webview/webview-html';

export const RESULTS_VIEW_TYPE = 'merino.results';

function attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, file: string): void {
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = webviewHtml(panel.webview, extensionUri, 'results', panel.title);
  const post = (m: HostToResults) => void panel.webview.postMessage(m);
  panel.webview.onDidReceiveMessage(async (m: ResultsToHost) => {
    if (m.type === 'export') void vscode.commands.executeCommand('merino.exportArchitecture', vscode.Uri.file(file), { rank: m.rank, format: m.format });
    else if (m.type === 'openJson') void vscode.window.showTextDocument(vscode.Uri.file(file));
    else if (m.type === 'rendered') renderTimings.set(RESULTS_VIEW_TYPE, m.ms);
    else if (m.type === 'ready') {
      try {
        const results = await readResults(file);
        post({ type: 'data', results, file, descriptions: results.top.map((e) => describeArch(entryArch(e))) });
      } catch (e) {
        post({ type: 'error', message: (e as Error).message });
      }
    }
  });
}

/** Opens a search results file (`NAME.merino.results.json`) as a plot and a sortable table with exports. */
export function showResultsPanel(extensionUri: vscode.Uri, file: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, `Results: ${path.basename(file)}`, vscode.ViewColumn.Beside, webviewOptions(extensionUri));
  attach(panel, extensionUri, file);
  return panel;
}

export function registerResultsSerializer(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state: ResultsViewState | undefined) {
      attach(panel, extensionUri, state?.file ?? '');
    },
  });
}
