import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadModel } from '../../src/core/onnx/model-file';
import { saveModel } from '../../src/core/onnx/save-model';
import { readWeight } from '../../src/core/onnx/stored-tensors';
import { writeFixture } from '../fixtures/build-fixtures';
import { tempDir } from '../fixtures/ort-run';

let dir: string;
let cleanup: () => Promise<void>;
const root = join(__dirname, '..', '..');

before(async () => {
  ({ dir, cleanup } = await tempDir());
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
});
after(() => cleanup());

function merino(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
}

test('inspect --json: layers, layouts, siblings, exclusions, storage and N:M status', async () => {
  const path = await writeFixture(dir, 'gemm');
  // make one layer exactly 2:4 along K: keep k ≡ 0, 1 (mod 4) of up_proj (stored [N, K])
  const model = await loadModel(path);
  const name = 'model.layers.1.mlp.up_proj.weight';
  const w = (await readWeight(model, name)).map((v, i) => (i % 4 < 2 ? v : 0));
  const pruned = join(dir, 'pruned.onnx');
  await saveModel(model, pruned, { replaced: new Map([[name, w]]), externalData: true });

  const r = merino('inspect', pruned, '--json');
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.irVersion, 8);
  assert.deepEqual(s.opsets, { 'ai.onnx': 17 });
  assert.equal(s.vocabSize, 256);
  assert.deepEqual(s.inputs.map((i: { name: string }) => i.name).slice(0, 3), ['input_ids', 'position_ids', 'attention_mask']);
  assert.equal(s.inputs[0].dtype, 'INT64');
  assert.deepEqual(s.externalData.map((f: { location: string }) => f.location), ['pruned.onnx.data']);
  assert.equal(s.layers.length, 14);
  const up = s.layers.find((l: { weight: string }) => l.weight === name);
  assert.deepEqual([up.op, up.layout, up.K, up.N, up.block, up.sparsity], ['Gemm', 'NK', 64, 128, 'layers.1', 0.5]);
  assert.deepEqual(up.nm, { '2:4': true, '4:8': true });
  assert.ok(s.layers.filter((l: { weight: string }) => l.weight !== name).every((l: { nm: Record<string, boolean> }) => !l.nm['2:4'] && !l.nm['4:8']));
  assert.equal(s.siblings.length, 8);
  assert.equal(s.lmHead.name, '/lm_head/MatMul');
  assert.equal(s.excluded.length, 7);
  // parameters: every float tensor; the fixture's count computed from its construction
  const E = 64, F = 128, V = 256, C = 128;
  const perBlock = 4 * E * E + 3 * E * F + 2 * F + E + 4 * E; // projections, Gemm biases (gate, up: F; down: E), two LayerNorms
  assert.equal(s.parameters, V * E + C * E + 2 * perBlock + 2 * E + E * V + 4 /* scalars: the mask 1 and -1e4, the attention scale of each block */);
});

test('inspect prints a table by default', async () => {
  const r = merino('inspect', await writeFixture(dir, 'fp16'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /prunable layers \(14\)/);
  assert.match(r.stdout, /layers\.0 +\/model\/layers\.0\/self_attn\/k_proj\/MatMul +MatMul +\[64, 64\] +NK +64 +64 +FLOAT16 +0 +0\.0% +no +no/);
  assert.match(r.stdout, /\/model\/layers\.1\/self_attn\/MatMul +MatMul +both inputs are activations \(attention product\)/);
  assert.match(r.stdout, /past_key_values\.0\.key +FLOAT +\[batch_size, 2, past_sequence_length, 32\]/);
});

test('inspect errors: not ONNX, missing model, missing argument → exit 1, one line naming the file', async () => {
  const bad = join(dir, 'bad.onnx');
  await writeFile(bad, 'not a model');
  for (const [args, pattern] of [[[bad], /bad\.onnx/], [[join(dir, 'missing.onnx')], /missing\.onnx: no such file/], [[], /missing MODEL/]] as const) {
    const r = merino('inspect', ...args);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
