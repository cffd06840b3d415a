import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PruneReport } from '../../core/pipeline/prune-model';
import type { HostToReport, ReportToHost, ReportViewState } from '../../protocol/report-messages';
import { filePanel } from '../webview/file-panel';

export const REPORT_VIEW_TYPE = 'merino.report';

const reportPanel = filePanel<string, HostToReport, ReportToHost>({
  viewType: REPORT_VIEW_TYPE,
  page: 'report',
  column: vscode.ViewColumn.Active,
  title: (file) => `Report: ${path.basename(file)}`,
  restore: (state) => (state as ReportViewState | undefined)?.file ?? '',
  load(file) {
    const report = JSON.parse(readFileSync(file, 'utf8')) as PruneReport;
    if (report.format !== 'merino-prune-report') throw new Error(`${file} is not a MeRino prune report`);
    return { type: 'data', report, file };
  },
  onMessage(m) {
    if (m.type === 'open') void vscode.commands.executeCommand('merino.inspectModel', vscode.Uri.file(m.file));
  },
});

/** Opens a prune report (`*.report.json`) as a readable page. */
export const showReportPanel = (extensionUri: vscode.Uri, file: string): vscode.WebviewPanel => reportPanel.show(extensionUri, file);

export const registerReportSerializer = (extensionUri: vscode.Uri): vscode.Disposable => reportPanel.registerSerializer(extensionUri);
