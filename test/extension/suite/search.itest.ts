import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, exists, workspaceUri } from './helpers';

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

  test('merino.estimate returns the engine figures for a design', async () => {
    const out = await vscode.commands.executeCommand<string | undefined>('merino.estimate', workspaceUri('tiny.merino.json').toString());
    assert.ok(out && /param/i.test(out), `unexpected estimate output: ${out}`);
  });
});
