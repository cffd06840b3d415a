// The Models view's status line, on the demo model and on a MeRino-pruned copy (real prune, real inspect job).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main';
import { modelStatus } from '../../src/extension/models/model-status';
import { runInspectJob } from '../../src/worker/inspect-job';

const root = join(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'merino-models-view-'));
for (const f of ['tiny-gpt.onnx', 'calib.txt', 'config.json']) copyFileSync(join(root, 'demo', f), join(dir, f));
const inspect = (model: string) => runInspectJob({ kind: 'inspect', model }, new AbortController().signal, () => {});

test('a dense model reads as dense with its parameter count', async () => {
  const r = await inspect(join(dir, 'tiny-gpt.onnx'));
  assert.equal(modelStatus(r), `${(r.summary.parameters / 1e6).toFixed(2)} M params · dense`);
});

test('a model pruned by MeRino reads with its pattern and method from the metadata', async () => {
  const io = { out: () => {}, err: () => {}, isTTY: false, signal: new AbortController().signal };
  const args = ['prune', join(dir, 'tiny-gpt.onnx'), '--method', 'wanda', '--pattern', '4:8', '--calib', join(dir, 'calib.txt'), '--samples', '2', '--seqlen', '32'];
  assert.equal(await main(args, io), 0);
  const r = await inspect(join(dir, 'tiny-gpt.4of8.wanda.onnx'));
  assert.match(modelStatus(r), /params · 4:8 wanda \(MeRino\)$/);
  // Without the metadata, the weights alone say 4:8-sparse (every layer satisfies 4:8 along K).
  assert.match(modelStatus({ ...r, metadata: {} }), /params · 4:8-sparse$/);
});
