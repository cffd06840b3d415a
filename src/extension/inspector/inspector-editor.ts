import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HostToInspector, InspectorToHost } from '../../protocol/inspector-messages';
import { INSPECTOR_ACTIONS } from '../../protocol/inspector-messages';
import { JobCancelledError, runJob } from '../job-runner';
import { renderTimings } from '../webview/render-timings';
import { webviewHtml, webviewOptions } from '../webview/webview-html';

export const INSPECTOR_VIEW_TYPE = 'merino.onnxInspector';

/**
 * The ONNX inspector, a read-only custom editor for `.onnx` (priority "option": double-click keeps the default).
 * The model is read in the worker; the webview gets the summary only, never the weights.
 */
export class OnnxInspectorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly extensionUri: vscode.Uri) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => {} };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'inspector', path.basename(document.uri.fsPath));
    const post = (m: HostToInspector) => void panel.webview.postMessage(m);
    panel.webview.onDidReceiveMessage(async (m: InspectorToHost) => {
      if (m.type === 'action' && m.command in INSPECTOR_ACTIONS) return void vscode.commands.executeCommand(m.command, document.uri);
      if (m.type === 'rendered') renderTimings.set(INSPECTOR_VIEW_TYPE, m.ms);
      if (m.type !== 'ready') return;
      post({ type: 'loading', message: `Reading ${path.basename(document.uri.fsPath)}…` });
      try {
        post({ type: 'data', result: await runJob(`Inspecting ${path.basename(document.uri.fsPath)}`, { kind: 'inspect', model: document.uri.fsPath }) });
      } catch (e) {
        post({ type: 'error', message: e instanceof JobCancelledError ? 'Cancelled.' : (e as Error).message });
      }
    });
  }
}

export function registerInspector(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.window.registerCustomEditorProvider(INSPECTOR_VIEW_TYPE, new OnnxInspectorProvider(extensionUri), {
    webviewOptions: { retainContextWhenHidden: false },
    supportsMultipleEditorsPerDocument: true,
  });
}
