import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PruneReport } from '../../core/pipeline/prune-model';
import type { HostToReport, ReportToHost, ReportViewState } from '../../protocol/report-messages';
import { renderTimings } from '../webview/render-timings';
import { webviewHtml, webviewOptions } from '../webview/webview-html';

export const REPORT_VIEW_TYPE = 'merino.report';

function attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, file: string): void {
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = webviewHtml(panel.webview, extensionUri, 'report', panel.title);
  const post = (m: HostToReport) => void panel.webview.postMessage(m);
  panel.webview.onDidReceiveMessage((m: ReportToHost) => {
    if (m.type === 'open') void vscode.commands.executeCommand('merino.inspectModel', vscode.Uri.file(m.file));
    else if (m.type === 'rendered') renderTimings.set(REPORT_VIEW_TYPE, m.ms);
    else if (m.type === 'ready') {
      try {
        const report = JSON.parse(readFileSync(file, 'utf8')) as PruneReport;
        if (report.format !== 'merino-prune-report') throw new Error(`${file} is not a MeRino prune report`);
        post({ type: 'data', report, file });
      } catch (e) {
        post({ type: 'error', message: (e as Error).message });
      }
    }
  });
}

/** Opens a prune report (`*.report.json`) as a readable page. */
export function showReportPanel(extensionUri: vscode.Uri, file: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, `Report: ${path.basename(file)}`, vscode.ViewColumn.Active, webviewOptions(extensionUri));
  attach(panel, extensionUri, file);
  return panel;
}

export function registerReportSerializer(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state: ReportViewState | undefined) {
      attach(panel, extensionUri, state?.file ?? '');
    },
  });
}
