import * as path from 'node:path';
import * as vscode from 'vscode';
import { readStatsFile } from '../../core/stats/stats-file';
import type { HeatmapToHost, HeatmapViewState, HostToHeatmap } from '../../protocol/heatmap-messages';
import { log } from '../log';
import { renderTimings } from '../webview/render-timings';
import { webviewHtml, webviewOptions } from '../webview/webview-html';
import { buildHeatmapData } from './heatmap-data';

export const HEATMAP_VIEW_TYPE = 'merino.heatmap';


/** Wires a (new or restored) panel to a stats file: posts the data once the page is ready. */
function attach(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, statsFile: string): void {
  panel.webview.options = webviewOptions(extensionUri);
  panel.webview.html = webviewHtml(panel.webview, extensionUri, 'heatmap', panel.title);
  const post = (m: HostToHeatmap) => void panel.webview.postMessage(m);
  panel.webview.onDidReceiveMessage((m: HeatmapToHost) => {
    if (m.type === 'ready') {
      try {
        const stats = readStatsFile(statsFile);
        post({ type: 'data', data: buildHeatmapData(stats, path.basename(stats.header.model)), statsFile });
      } catch (e) {
        post({ type: 'error', message: `Cannot show ${statsFile}: ${(e as Error).message}` });
      }
    } else if (m.type === 'rendered') {
      renderTimings.set(HEATMAP_VIEW_TYPE, m.ms);
      log().debug(`heatmap rendered in ${m.ms.toFixed(1)} ms`);
    } else if (m.type === 'error') log().error(`heatmap panel: ${m.message}`);
  });
}

/** Opens the heatmap of a stats file in a panel beside the editor. */
export function showHeatmapPanel(extensionUri: vscode.Uri, statsFile: string, modelName: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(HEATMAP_VIEW_TYPE, `Heatmap: ${modelName}`, vscode.ViewColumn.Beside, webviewOptions(extensionUri));
  attach(panel, extensionUri, statsFile);
  return panel;
}

/** Restores heatmap panels after a window reload from the state their webview saved. */
export function registerHeatmapSerializer(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(HEATMAP_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state: HeatmapViewState | undefined) {
      if (state?.statsFile) attach(panel, extensionUri, state.statsFile);
      else {
        panel.webview.options = webviewOptions(extensionUri);
        panel.webview.html = webviewHtml(panel.webview, extensionUri, 'heatmap', panel.title);
        panel.webview.onDidReceiveMessage((m: HeatmapToHost) => m.type === 'ready' && void panel.webview.postMessage({ type: 'error', message: 'This heatmap cannot be restored: run "MeRino: Show Entropy Heatmap" again.' } satisfies HostToHeatmap));
      }
    },
  });
}
