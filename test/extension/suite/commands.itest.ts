import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension } from './helpers';

suite('manifest and commands', () => {
  test('every contributed command is registered after activation', async () => {
    const ext = await activateExtension();
    const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 8, `only ${contributed.length} commands contributed`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('the extension runs in the workspace extension host, not the browser', async () => {
    const ext = await activateExtension();
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
    assert.deepEqual(ext.packageJSON.extensionKind, ['workspace']);
  });

  test('settings have their documented defaults', () => {
    const c = vscode.workspace.getConfiguration('merino');
    assert.equal(c.inspect('method')?.defaultValue, 'esparse');
    assert.equal(c.inspect('pattern')?.defaultValue, '2:4');
    assert.deepEqual(c.inspect('executionProviders')?.defaultValue, ['cpu']);
    // The test workspace overrides samples (see test/extension/workspace/.vscode/settings.json).
    assert.equal(c.get('samples'), 4);
  });
});
