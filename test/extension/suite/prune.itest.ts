import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, exists, waitFor, workspaceUri } from './helpers';

interface PruneOutcome {
  model: vscode.Uri;
  report?: vscode.Uri;
}

const outputs = () => readdirSync(workspaceUri().fsPath).filter((f) => f.startsWith('tiny-gpt.2of4.') || f.includes('.tmp-'));

suite('pruning', () => {
  test('cancelling a prune leaves no output file', async function () {
    const model = workspaceUri('tiny-gpt.onnx');
    if (!(await exists(model))) return this.skip();
    await activateExtension();
    const config = vscode.workspace.getConfiguration('merino');
    await config.update('samples', 20_000, vscode.ConfigurationTarget.Workspace);
    try {
      const running = vscode.commands.executeCommand<PruneOutcome | undefined>('merino.prune', model, { method: 'esparse', pattern: '2:4', calibrationFile: workspaceUri('calib.txt').fsPath });
      await new Promise((r) => setTimeout(r, 2_500));
      const cancelled = await vscode.commands.executeCommand<number>('merino.cancelJobs');
      assert.ok(cancelled >= 1, 'no job was running to cancel');
      assert.equal(await running, undefined);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(outputs(), []);
    } finally {
      await config.update('samples', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('the prune command writes the pruned model and its report next to the model', async function () {
    const model = workspaceUri('tiny-gpt.onnx');
    if (!(await exists(model))) return this.skip();
    await activateExtension();
    const before = readFileSync(model.fsPath);
    const out = await vscode.commands.executeCommand<PruneOutcome | undefined>('merino.prune', model, {
      method: 'esparse',
      pattern: '2:4',
      calibrationFile: workspaceUri('calib.txt').fsPath,
    });
    assert.ok(out, 'the prune command returned nothing (see the MeRino log)');
    assert.equal(out.model.fsPath, workspaceUri('tiny-gpt.2of4.esparse.onnx').fsPath);
    assert.ok(await exists(out.model));
    assert.ok(out.report && (await exists(out.report)));
    const report = JSON.parse(readFileSync(out.report.fsPath, 'utf8'));
    assert.equal(report.options.method, 'esparse');
    assert.equal(report.options.pattern, '2:4');
    assert.ok(readFileSync(model.fsPath).equals(before), 'the input model was modified');
  });

  test('the report view shows the prune report', async function () {
    const report = workspaceUri('tiny-gpt.2of4.esparse.report.json');
    if (!(await exists(report))) return this.skip();
    const api = (await activateExtension()).exports as { lastRenderMs(viewType: string): number | undefined };
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('merino.openReport', report);
    assert.ok(panel);
    await waitFor('the report to render', () => api.lastRenderMs('merino.report'), 60_000);
    panel.dispose();
  });
});
