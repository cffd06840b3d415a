import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareResult } from '../../core/pipeline/compare-methods';
import type { CompareToHost, CompareViewState, HostToCompare } from '../../protocol/compare-messages';
import { filePanel } from '../webview/file-panel';

export const COMPARE_VIEW_TYPE = 'merino.compareResults';

/** Rows the last comparison panel drew (for the extension-host tests). */
export const compareRowsShown = { count: undefined as number | undefined };

/** The source is the result itself, kept in the page's saved state (there is no file to reread). */
const comparePanel = filePanel<CompareResult | undefined, HostToCompare, CompareToHost>({
  viewType: COMPARE_VIEW_TYPE,
  page: 'compare',
  column: vscode.ViewColumn.Active,
  title: (result) => `Compare: ${path.basename(result?.model ?? '')}`,
  restore: (state) => (state as CompareViewState | undefined)?.result,
  load(result) {
    if (!result) throw new Error('The comparison is no longer available: run Compare Pruning Methods again.');
    return { type: 'data', result };
  },
  onMessage(m) {
    if (m.type === 'rendered') compareRowsShown.count = m.rows;
  },
});

/** Shows a `merino compare --json` result: the methods table and the mask-overlap matrix. */
export const showComparePanel = (extensionUri: vscode.Uri, result: CompareResult): vscode.WebviewPanel => comparePanel.show(extensionUri, result);

export const registerCompareSerializer = (extensionUri: vscode.Uri): vscode.Disposable => comparePanel.registerSerializer(extensionUri);
