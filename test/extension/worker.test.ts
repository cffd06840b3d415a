// The job worker as the extension host uses it: dist/worker.js forked, typed messages, cancel.
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findLinearLayers } from '../../src/core/onnx/linear-layers';
import { loadModel } from '../../src/core/onnx/model-file';
import { readWeight } from '../../src/core/onnx/stored-tensors';
import type { JobSpec, MaskResult, WorkerToHost } from '../../src/protocol/job-messages';

const root = join(__dirname, '../..');
const WORKER = join(root, 'dist/worker.js');
if (!existsSync(WORKER)) spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root });

/** Runs one job; `onMessage` may send a cancel. Resolves with every message and the exit code. */
function runWorker(job: JobSpec, onMessage?: (m: WorkerToHost, cancel: () => void) => void) {
  return new Promise<{ messages: WorkerToHost[]; code: number | null }>((resolve) => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
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

test('a masks job returns the layer mask in (n, k) order as bits, for the layer asked', async () => {
  const modelPath = join(root, 'demo/tiny-gpt.onnx');
  const model = await loadModel(modelPath);
  const layer = findLinearLayers(model).layers[1];
  const { messages } = await runWorker({ kind: 'masks', model: modelPath, layer: layer.name });
  const last = messages.at(-1)!;
  assert.equal(last.type, 'result', JSON.stringify(last).slice(0, 300));
  const r = (last as { result: MaskResult }).result;
  assert.equal(r.layer.name, layer.name);
  assert.ok(r.bits instanceof Uint8Array);
  const w = await readWeight(model, layer.weight);
  let zeros = 0;
  for (const [n, k] of [[0, 0], [layer.N - 1, layer.K - 1], [layer.N >> 1, 3]]) {
    const v = layer.layout === 'KN' ? w[k * layer.N + n] : w[n * layer.K + k];
    const i = n * layer.K + k;
    assert.equal(((r.bits[i >> 3] >> (i & 7)) & 1) === 1, v !== 0, `bit of (n=${n}, k=${k})`);
  }
  for (const v of w) if (v === 0) zeros++;
  assert.equal(r.sparsity, zeros / w.length);
  assert.ok(r.layers.length >= 2);
});
