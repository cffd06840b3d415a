import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, exists, waitFor, workspaceUri } from './helpers';

interface MerinoApi {
  lastRenderMs(viewType: string): number | undefined;
}

suite('panels', () => {
  test("the heatmap panel opens and draws the model's channel statistics", async function () {
    const model = workspaceUri('tiny-gpt.onnx');
    if (!(await exists(model))) return this.skip();
    const api = (await activateExtension()).exports as MerinoApi;
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('merino.showHeatmap', model, {
      calibrationFile: workspaceUri('calib.txt').fsPath,
    });
    assert.ok(panel, 'no panel (see the MeRino log)');
    assert.match(panel.title, /tiny-gpt\.onnx/);
    const ms = await waitFor('the webview to draw the data', () => api.lastRenderMs('merino.heatmap'), 60_000);
    assert.ok(ms >= 0 && ms < 5_000, `first paint took ${ms} ms`);
    panel.dispose();
  });

  test('the mask panel opens and draws a layer of the model', async function () {
    const model = workspaceUri('tiny-gpt.onnx');
    if (!(await exists(model))) return this.skip();
    const api = (await activateExtension()).exports as MerinoApi;
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('merino.showMasks', model);
    assert.ok(panel);
    assert.match(panel.title, /Masks: tiny-gpt\.onnx/);
    await waitFor('the mask view to draw', () => api.lastRenderMs('merino.masks'), 100_000);
    panel.dispose();
  });
});

suite('ONNX inspector', () => {
  test('Inspect Model opens the custom editor, which shows the model summary', async function () {
    const model = workspaceUri('tiny-gpt.onnx');
    if (!(await exists(model))) return this.skip();
    const api = (await activateExtension()).exports as MerinoApi;
    await vscode.commands.executeCommand('merino.inspectModel', model);
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom, 'the active tab is not a custom editor');
    assert.equal(input.viewType, 'merino.onnxInspector');
    assert.equal(input.uri.fsPath, model.fsPath);
    await waitFor('the inspector to show the summary', () => api.lastRenderMs('merino.onnxInspector'), 60_000);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
