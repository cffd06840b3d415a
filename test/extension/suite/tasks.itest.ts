import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension } from './helpers';

/** Runs a task and resolves with its process exit code. */
function exitCodeOf(task: vscode.Task): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name !== task.name) return;
      sub.dispose();
      resolve(e.exitCode);
    });
    vscode.tasks.executeTask(task).then(undefined, reject);
  });
}

suite('tasks', () => {
  test('the merino task provider offers check tasks whose exit code follows the design file', async () => {
    await activateExtension();
    const tasks = await vscode.tasks.fetchTasks({ type: 'merino' });
    const names = tasks.map((t) => t.name);
    const broken = tasks.find((t) => t.name === 'check broken.merino.json');
    const tiny = tasks.find((t) => t.name === 'check tiny.merino.json');
    assert.ok(broken && tiny, `tasks offered: ${names.join(', ')}`);
    assert.ok(names.includes('prune tiny-gpt.onnx') || !names.some((n) => n.endsWith('.onnx')));
    assert.equal(await exitCodeOf(broken), 1);
    assert.equal(await exitCodeOf(tiny), 0);
  });
});
