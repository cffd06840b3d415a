import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import type { CompareResult } from '../../../src/core/pipeline/compare-methods';
import { activateExtension, exists, waitFor, workspaceUri } from './helpers';

interface Api {
  lastRenderMs(viewType: string): number | undefined;
  lastCompareRows(): number | undefined;
}

suite('comparison view', () => {
  test('Compare Pruning Methods runs compare in the worker and the panel draws every method row', async function () {
    const model = workspaceUri('tiny-gpt.onnx');
    if (!(await exists(model))) return this.skip();
    const api = (await activateExtension()).exports as Api;
    const config = vscode.workspace.getConfiguration('merino');
    await config.update('samples', 4, vscode.ConfigurationTarget.Workspace);
    try {
      const calib = workspaceUri('calib.txt').fsPath;
      const result = await vscode.commands.executeCommand<CompareResult | undefined>('merino.compare', model, { pattern: '2:4', calibrationFile: calib, maxWindows: 2 });
      assert.ok(result, 'the compare command returned nothing (see the MeRino log)');
      assert.deepEqual(result.rows.map((r) => r.method).sort(), ['esparse', 'magnitude', 'wanda']);
      assert.equal(result.calibration?.samples, 4);
      assert.ok(result.dense.windows <= 2);
      assert.equal(result.overlap.length, 3);
      await waitFor('the comparison panel to render', () => api.lastRenderMs('merino.compareResults'), 60_000);
      assert.equal(api.lastCompareRows(), result.rows.length);
    } finally {
      await config.update('samples', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
