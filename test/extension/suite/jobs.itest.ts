import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, workspaceUri } from './helpers';

suite('jobs', () => {
  test('an engine error becomes a notification, not a rejected command', async () => {
    await activateExtension();
    // A design file that does not exist: the CLI fails with a one-line message; the command resolves.
    const result = await vscode.commands.executeCommand('merino.estimate', workspaceUri('missing.merino.json'));
    assert.equal(result, undefined);
  });
});
