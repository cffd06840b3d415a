import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, exists, waitFor, workspaceUri } from './helpers';

interface MerinoApi {
  lastHeatmapRenderMs(): number | undefined;
}

suite('entropy heatmap', () => {
  test('opens a panel that draws the model\'s channel statistics', async function () {
    const model = workspaceUri('tiny-gpt.onnx');
    if (!(await exists(model))) return this.skip();
    const ext = await activateExtension();
    const api = ext.exports as MerinoApi;
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('merino.showHeatmap', model, {
      calibrationFile: workspaceUri('calib.txt').fsPath,
    });
    assert.ok(panel, 'no panel (see the MeRino log)');
    assert.match(panel.title, /tiny-gpt\.onnx/);
    const ms = await waitFor('the webview to draw the data', () => api.lastHeatmapRenderMs(), 60_000);
    assert.ok(ms >= 0 && ms < 5_000, `first paint took ${ms} ms`);
    panel.dispose();
  });
});
