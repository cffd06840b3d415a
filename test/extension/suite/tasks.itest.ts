import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, waitFor, workspaceUri } from './helpers';

/** The command line a task runs (after the CLI path): `merino COMMAND FILE …`. */
const argsOf = (task: vscode.Task): string[] => (task.execution as vscode.ProcessExecution).args.slice(1);

/** How many times `flag` stands in `args`, and the value after its first place. */
function flagIn(args: string[], flag: string): { count: number; value?: string } {
  const i = args.indexOf(flag);
  return { count: args.filter((a) => a === flag).length, value: i >= 0 ? args[i + 1] : undefined };
}

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

  test('model-running tasks take --threads and --execution-providers from the settings unless tasks.json gives them', async () => {
    await activateExtension();
    const provided = await vscode.tasks.fetchTasks({ type: 'merino' });
    for (const name of ['prune tiny-gpt.onnx', 'stats tiny-gpt.onnx']) {
      const task = provided.find((t) => t.name === name);
      assert.ok(task, `tasks offered: ${provided.map((t) => t.name).join(', ')}`);
      // The test workspace sets merino.threads 2 and leaves merino.executionProviders at its default, ["cpu"].
      assert.deepEqual(flagIn(argsOf(task), '--execution-providers'), { count: 1, value: 'cpu' }, name);
      assert.deepEqual(flagIn(argsOf(task), '--threads'), { count: 1, value: '2' }, name);
    }
    assert.equal(flagIn(argsOf(provided.find((t) => t.name === 'check tiny.merino.json')!), '--execution-providers').count, 0);

    const configured = [
      { label: 'measure', args: ['--measure', '--runs', '1'] },
      { label: 'measure given', args: ['--measure', '--execution-providers', 'cpu,cpu', '--threads', '1'] },
      { label: 'estimate only', args: ['--json'] },
    ];
    await vscode.workspace.fs.writeFile(workspaceUri('.vscode', 'tasks.json'), Buffer.from(JSON.stringify({
      version: '2.0.0',
      tasks: configured.map(({ label, args }) => ({ type: 'merino', command: 'estimate', file: 'tiny.merino.json', args, label })),
    })));
    const byLabel = await waitFor('the tasks of tasks.json', async () => {
      const tasks = await vscode.tasks.fetchTasks({ type: 'merino' });
      const found = configured.map((c) => tasks.find((t) => t.name === c.label));
      return found.every((t) => t?.execution) ? found as vscode.Task[] : undefined;
    });
    const [measure, given, plain] = byLabel.map(argsOf) as [string[], string[], string[]];
    assert.deepEqual(measure.slice(0, 1), ['estimate']);
    assert.deepEqual(flagIn(measure, '--execution-providers'), { count: 1, value: 'cpu' });
    assert.deepEqual(flagIn(measure, '--threads'), { count: 1, value: '2' });
    assert.deepEqual(flagIn(given, '--execution-providers'), { count: 1, value: 'cpu,cpu' });
    assert.deepEqual(flagIn(given, '--threads'), { count: 1, value: '1' });
    assert.equal(flagIn(plain, '--execution-providers').count + flagIn(plain, '--threads').count, 0, plain.join(' '));
  });
});
