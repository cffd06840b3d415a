import * as vscode from 'vscode';
import { renderTimings } from './render-timings';
import { webviewHtml, webviewOptions } from './webview-html';

/** What a page is sent when its data cannot be loaded. */
type PageError = { type: 'error'; message: string };

/**
 * A webview panel that shows one source: a file read when the page says it is ready (report,
 * results), or a small value the page keeps in its saved state (compare). `ToPage` and `ToHost`
 * are the panel's protocol messages; the page sends `ready` once, and `rendered` with the ms it took to draw.
 */
export interface FilePanelSpec<Source, ToPage extends { type: string }, ToHost extends { type: string; ms?: number }> {
  viewType: string;
  /** The page: dist/webview/PAGE.js and media/PAGE.css. */
  page: string;
  column: vscode.ViewColumn;
  title(source: Source): string;
  /** The source of a panel restored after a reload, from the state its page saved (undefined if none). */
  restore(state: unknown): Source;
  /** The data message for the page; the message of what it throws is shown on the page instead. */
  load(source: Source): ToPage | Promise<ToPage>;
  /** The page's messages other than `ready` (`rendered` times are recorded in renderTimings first). */
  onMessage?(m: ToHost, source: Source): void;
}

export interface FilePanel<Source> {
  show(extensionUri: vscode.Uri, source: Source): vscode.WebviewPanel;
  /** Restores this kind of panel after a window reload. */
  registerSerializer(extensionUri: vscode.Uri): vscode.Disposable;
}

export function filePanel<Source, ToPage extends { type: string }, ToHost extends { type: string; ms?: number }>(
  spec: FilePanelSpec<Source, ToPage, ToHost>,
): FilePanel<Source> {
  const attach = (panel: vscode.WebviewPanel, extensionUri: vscode.Uri, source: Source): void => {
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, spec.page, panel.title);
    const post = (m: ToPage | PageError) => void panel.webview.postMessage(m);
    panel.webview.onDidReceiveMessage(async (m: ToHost) => {
      if (m.type === 'ready') {
        try {
          post(await spec.load(source));
        } catch (e) {
          post({ type: 'error', message: (e as Error).message });
        }
        return;
      }
      if (m.type === 'rendered' && m.ms !== undefined) renderTimings.set(spec.viewType, m.ms);
      spec.onMessage?.(m, source);
    });
  };
  return {
    show(extensionUri, source) {
      const panel = vscode.window.createWebviewPanel(spec.viewType, spec.title(source), spec.column, webviewOptions(extensionUri));
      attach(panel, extensionUri, source);
      return panel;
    },
    registerSerializer(extensionUri) {
      return vscode.window.registerWebviewPanelSerializer(spec.viewType, {
        async deserializeWebviewPanel(panel, state: unknown) {
          attach(panel, extensionUri, spec.restore(state));
        },
      });
    },
  };
}
