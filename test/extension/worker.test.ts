// The job worker as the extension host uses it: dist/worker.js forked, typed messages, cancel.
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobSpec, WorkerToHost } from '../../src/protocol/job-messages';

const root = join(__dirname, '../..');
const WORKER = join(root, 'dist/worker.js');
if (!existsSync(WORKER)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root });

/** Runs one job; `onMessage` may send a cancel. Resolves with every message and the exit code. */
function runWorker(job: JobSpec, onMessage?: (m: WorkerToHost, cancel: () => void) => void) {
  return new Promise<{ messages: WorkerToHost[]; code: number | null }>((resolve) => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const messages: WorkerToHost[] = [];
    child.on('message', (m: WorkerToHost) => {
      messages.push(m);
      onMessage?.(m, () => child.send({ type: 'cancel' }));
    });
    child.on('exit', (code) => resolve({ messages, code }));
    child.send({ type: 'start', job });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'merino-worker-'));
copyFileSync(join(root, 'test/extension/workspace/tiny.merino.json'), join(dir, 'tiny.merino.json'));

test('a search job streams progress and ends with the result; the results file is written', async () => {
  const { messages, code } = await runWorker({ kind: 'cli', args: ['search', 'tiny.merino.json'], cwd: dir });
  assert.equal(code, 0);
  const last = messages.at(-1)!;
  assert.equal(last.type, 'result', JSON.stringify(last));
  assert.ok(messages.some((m) => m.type === 'progress' && m.total > 0), 'no progress message');
  assert.ok(existsSync(join(dir, 'tiny.merino.results.json')));
});

test('an engine failure ends with one error message naming the file, without the CLI prefix', async () => {
  const { messages } = await runWorker({ kind: 'cli', args: ['estimate', join(dir, 'missing.merino.json')] });
  const errors = messages.filter((m) => m.type === 'error');
  assert.equal(errors.length, 1);
  assert.equal(messages.at(-1)!.type, 'error');
  const { message } = errors[0] as { message: string };
  assert.match(message, /missing\.merino\.json/);
  assert.doesNotMatch(message, /^merino /);
});

test('cancel during statistics ends with a cancelled error and leaves no output file', async () => {
  const model = join(root, 'demo/tiny-gpt.onnx');
  const out = join(dir, 'cancelled-stats.json');
  const { messages } = await runWorker(
    { kind: 'cli', args: ['stats', model, '--calib', join(root, 'demo/calib.txt'), '--samples', '2000', '--seqlen', '64', '--out', out] },
    (m, cancel) => m.type === 'progress' && cancel(),
  );
  const last = messages.at(-1) as { type: string; cancelled?: boolean };
  assert.equal(last.type, 'error');
  assert.equal(last.cancelled, true);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('cancelled-stats')), []);
});
