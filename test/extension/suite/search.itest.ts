import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, exists, waitFor, workspaceUri } from './helpers';

suite('architecture search', () => {
  test('merino.runSearch writes NAME.merino.results.json through the worker', async () => {
    await activateExtension();
    const design = workspaceUri('tiny.merino.json');
    const expected = workspaceUri('tiny.merino.results.json');
    if (await exists(expected)) await vscode.workspace.fs.delete(expected);
    const results = await vscode.commands.executeCommand<vscode.Uri | undefined>('merino.runSearch', design);
    assert.ok(results, 'the command returned no results file (see the MeRino log)');
    assert.equal(results.fsPath, expected.fsPath);
    const json = JSON.parse(readFileSync(expected.fsPath, 'utf8'));
    assert.equal(typeof json, 'object');
    assert.ok(JSON.stringify(json).length > 50, 'the results file is nearly empty');
  });

  test('merino.openResults shows the results panel (plot and top-k table)', async () => {
    const api = (await activateExtension()).exports as { lastRenderMs(viewType: string): number | undefined };
    const panel = await vscode.commands.executeCommand<vscode.WebviewPanel | undefined>('merino.openResults', workspaceUri('tiny.merino.json'));
    assert.ok(panel && 'webview' in panel, 'no results panel');
    assert.match(panel.title, /tiny\.merino\.results\.json/);
    await waitFor('the results panel to render', () => api.lastRenderMs('merino.results'), 60_000);
    panel.dispose();
  });

  test('merino.estimate returns the engine figures for a design', async () => {
    const out = await vscode.commands.executeCommand<string | undefined>('merino.estimate', workspaceUri('tiny.merino.json').toString());
    assert.ok(out && /param/i.test(out), `unexpected estimate output: ${out}`);
  });
});
