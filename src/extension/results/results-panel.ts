import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeArch } from '../../core/merino/architecture';
import { entryArch, readResults } from '../../core/merino/results-file';
import type { HostToResults, ResultsToHost, ResultsViewState } from '../../protocol/results-messages';
import { filePanel } from '../webview/file-panel';

export const RESULTS_VIEW_TYPE = 'merino.results';

const resultsPanel = filePanel<string, HostToResults, ResultsToHost>({
  viewType: RESULTS_VIEW_TYPE,
  page: 'results',
  column: vscode.ViewColumn.Beside,
  title: (file) => `Results: ${path.basename(file)}`,
  restore: (state) => (state as ResultsViewState | undefined)?.file ?? '',
  async load(file) {
    const results = await readResults(file);
    return { type: 'data', results, file, descriptions: results.top.map((e) => describeArch(entryArch(e))) };
  },
  onMessage(m, file) {
    if (m.type === 'export') void vscode.commands.executeCommand('merino.exportArchitecture', vscode.Uri.file(file), { rank: m.rank, format: m.format });
    else if (m.type === 'openJson') void vscode.window.showTextDocument(vscode.Uri.file(file));
  },
});

/** Opens a search results file (`NAME.merino.results.json`) as a plot and a sortable table with exports. */
export const showResultsPanel = (extensionUri: vscode.Uri, file: string): vscode.WebviewPanel => resultsPanel.show(extensionUri, file);

export const registerResultsSerializer = (extensionUri: vscode.Uri): vscode.Disposable => resultsPanel.registerSerializer(extensionUri);
