import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceUri } from './helpers';

suite('language client', () => {
  test('shows the server diagnostic of a broken .merino.json on the offending range', async () => {
    await activateExtension();
    const uri = workspaceUri('broken.merino.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    // Its own language id keeps VS Code's JSON server away (no duplicate problems; docs/language-server.md).
    assert.equal(doc.languageId, 'merino-json');
    const diag = await waitFor('the range-inverted diagnostic', () =>
      vscode.languages.getDiagnostics(uri).find((d) => /min 1024 is greater than max 256/.test(d.message)),
    );
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
    const line = doc.lineAt(diag.range.start.line).text;
    assert.match(line + doc.lineAt(Math.max(0, diag.range.start.line - 1)).text, /width|min/, `diagnostic on an unrelated line: ${line}`);
  });

  test('the diagnostic clears when the file is fixed', async () => {
    const uri = workspaceUri('broken.merino.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const text = doc.getText();
    const at = text.indexOf('"min": 1024');
    assert.ok(at >= 0);
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(at), doc.positionAt(at + '"min": 1024'.length)), '"min": 128'));
    await waitFor('the diagnostic to clear', () =>
      vscode.languages.getDiagnostics(uri).some((d) => /greater than max/.test(d.message)) ? undefined : true,
    );
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
