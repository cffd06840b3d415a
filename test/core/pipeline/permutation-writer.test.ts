// A channel permutation alone (no pruning), written as Gather or folded into the producers,
// must leave the model's logits unchanged (ALGORITHMS.md §2: max abs diff ≤ 1e-4 on fp32).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createPrng } from '../../../src/core/calib/prng';
import { findLinearLayers } from '../../../src/core/onnx/linear-layers';
import { loadModel, type OnnxModel } from '../../../src/core/onnx/model-file';
import { makeFeeds } from '../../../src/core/onnx/model-inputs';
import { saveModel } from '../../../src/core/onnx/save-model';
import { readWeight } from '../../../src/core/onnx/stored-tensors';
import { selectLayers } from '../../../src/core/pipeline/layer-selection';
import { PermutationWriter } from '../../../src/core/pipeline/permutation-writer';
import type { ApplyMode } from '../../../src/core/pipeline/prune-options';
import { permuteChannels } from '../../../src/core/prune/permutation';
import { writeFixture } from '../../fixtures/build-fixtures';
import { tempDir } from '../../fixtures/ort-run';

const DEMO = join(__dirname, '../../../demo/tiny-gpt.onnx');
const LLAMA = join(__dirname, '../../../test/fixtures/models/tiny-llama.onnx');

function randomPermutation(K: number, seed: number): Int32Array {
  const rand = createPrng(seed);
  const perm = Int32Array.from({ length: K }, (_, i) => i);
  for (let i = K - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return perm;
}

async function logits(path: string, model: OnnxModel): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  try {
    const tokens = Int32Array.from({ length: 2 * 16 }, (_, i) => (i * 37 + 11) % 256);
    const feeds = makeFeeds(model, tokens, 2, 16);
    const out = await session.run(Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]!])));
    return out[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Permutes every sibling group of the model at random and writes it with `apply`. */
async function permuteAll(model: OnnxModel, apply: ApplyMode, out: string) {
  const scan = findLinearLayers(model);
  const selection = selectLayers(scan, {}, model.path);
  const writer = new PermutationWriter(model, scan, apply);
  const weights = new Map<string, Float32Array>();
  const reports = [];
  for (const [g, siblings] of selection.groups.entries()) {
    const perm = randomPermutation(siblings[0]!.K, 100 + g);
    for (const l of siblings) weights.set(l.weight, permuteChannels({ data: await readWeight(model, l.weight), K: l.K, N: l.N, layout: l.layout }, perm).data);
    reports.push(writer.write(siblings, perm, String(g)));
  }
  const proto = await writer.finish(weights);
  await saveModel({ ...model, proto }, out, { replaced: weights });
  return reports;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

for (const [label, source] of [['demo GPT (GELU, biases)', async () => DEMO], ['tiny LLaMA (SwiGLU)', async () => LLAMA], ['Gemm MLP fixture', (dir: string) => writeFixture(dir, 'gemm')], ['MatMul fixture with KV cache', (dir: string) => writeFixture(dir, 'basic')]] as const) {
  for (const apply of ['gather', 'fold'] as const) {
    test(`permutation alone keeps the logits: ${label}, ${apply}`, async () => {
      const { dir, cleanup } = await tempDir('merino-perm-');
      try {
        const model = await loadModel(await source(dir));
        const out = join(dir, `permuted-${apply}.onnx`);
        const reports = await permuteAll(model, apply, out);
        const diff = maxAbsDiff(await logits(model.path, model), await logits(out, await loadModel(out)));
        assert.ok(diff <= 1e-4, `max abs diff ${diff}`);
        const folded = reports.filter((r) => r.apply === 'fold').length;
        if (apply === 'gather') assert.equal(folded, 0);
        else assert.ok(folded > 0, `fold mode folded no group: ${JSON.stringify(reports.map((r) => r.fallbackReason))}`);
      } finally {
        await cleanup();
      }
    });
  }
}
