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

suite('walkthrough', () => {
  test('the Get Started walkthrough is contributed and "Open the demo" copies the demo model into the workspace', async () => {
    const ext = await activateExtension();
    const walkthroughs = ext.packageJSON.contributes.walkthroughs as { id: string; steps: unknown[] }[];
    assert.equal(walkthroughs[0].id, 'merino.getStarted');
    const model = await vscode.commands.executeCommand<vscode.Uri | undefined>('merino.openDemo');
    assert.ok(model, 'no demo model returned');
    const stat = await vscode.workspace.fs.stat(model);
    assert.ok(stat.size > 100_000, `demo model has ${stat.size} bytes`);
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(model, '..'), { recursive: true });
  });
});
