import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Arch, ModelSpec } from '../../../src/core/merino/architecture';
import { countParams } from '../../../src/core/merino/cost-model';
import { measureLatency } from '../../../src/core/merino/measured-latency';
import { buildSkeletonModel } from '../../../src/core/merino/onnx-skeleton';
import { saveModel } from '../../../src/core/onnx/save-model';

const gptLike: ModelSpec = { vocabSize: 97, context: 32, tiedEmbeddings: true, norm: 'layernorm', mlp: 'gelu', biases: true, positions: 'learned', positionOffset: 2, finalNorm: true };
const llamaLike: ModelSpec = { vocabSize: 101, context: 32, tiedEmbeddings: false, norm: 'rmsnorm', mlp: 'swiglu', biases: false, positions: 'rope', positionOffset: 0, finalNorm: true };
/** Two blocks of different width (a projection between them), the second with shared layers. */
const twoBlocks: Arch = { blocks: [{ layers: 2, width: 32, heads: 4, ffnDim: 64, shared: false }, { layers: 2, width: 48, heads: 3, ffnDim: 96, shared: true }] };

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'merino-skeleton-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const numel = (dims: bigint[]) => dims.reduce((a, b) => a * Number(b), 1);

for (const [label, model] of [['GPT-like', gptLike], ['LLaMA-like', llamaLike], ['relu, untied, no positions', { ...gptLike, mlp: 'relu', tiedEmbeddings: false, positions: 'none', finalNorm: false } as ModelSpec]] as const) {
  test(`${label} skeleton: initializers hold exactly the cost model's parameters`, () => {
    for (const arch of [twoBlocks, { blocks: [twoBlocks.blocks[0]] }]) {
      const proto = buildSkeletonModel(arch, model, { kvCache: true });
      const total = proto.graph!.initializer.reduce((s, t) => s + numel(t.dims), 0);
      assert.equal(total, countParams(arch, model));
    }
  });

  test(`${label} skeleton runs in onnxruntime; KV-cache decoding matches the full forward`, async () => {
    await withTemp(async (dir) => {
      const path = join(dir, 'skeleton.onnx');
      await saveModel({ proto: buildSkeletonModel(twoBlocks, model, { seed: 5, kvCache: true }) }, path);
      const session = await ort.InferenceSession.create(path);
      const tokens = [3, 14, 15, 92, 65, 35];
      const layers = 4;
      const emptyPast = (T: number): Record<string, ort.Tensor> => {
        const f: Record<string, ort.Tensor> = {};
        for (let i = 0; i < layers; i++) {
          const [h, d] = i < 2 ? [4, 8] : [3, 16];
          for (const kv of ['key', 'value']) f[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(T * h * d), [1, h, T, d]);
        }
        return f;
      };
      const ids = (xs: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
      const full = await session.run({ input_ids: ids(tokens), ...emptyPast(0) });
      const V = model.vocabSize;
      assert.deepEqual(full.logits.dims, [1, tokens.length, V]);
      const logits = full.logits.data as Float32Array;
      assert.ok(logits.every(Number.isFinite));
      assert.ok(Math.max(...logits.map(Math.abs)) > 0);
      // Prefill all but the last token, then decode the last one from the cache.
      const prefix = await session.run({ input_ids: ids(tokens.slice(0, -1)), ...emptyPast(0) });
      const past: Record<string, ort.Tensor> = {};
      for (let i = 0; i < layers; i++) for (const kv of ['key', 'value']) past[`past_key_values.${i}.${kv}`] = prefix[`present.${i}.${kv}`];
      const step = await session.run({ input_ids: ids(tokens.slice(-1)), ...past });
      const last = logits.slice((tokens.length - 1) * V);
      const stepLogits = step.logits.data as Float32Array;
      for (let j = 0; j < V; j++) assert.ok(Math.abs(stepLogits[j] - last[j]) < 1e-4, `logit ${j}: ${stepLogits[j]} vs ${last[j]}`);
      // Causality: the prefix's logits equal the full run's first positions.
      const pre = prefix.logits.data as Float32Array;
      for (let j = 0; j < pre.length; j++) assert.ok(Math.abs(pre[j] - logits[j]) < 1e-4);
      await session.release();
    });
  });
}

test('the same seed gives the same weights; another seed different ones', () => {
  const w = (seed: number) => buildSkeletonModel(twoBlocks, gptLike, { seed }).graph!.initializer[0].rawData;
  assert.deepEqual(w(1), w(1));
  assert.notDeepEqual(w(1), w(2));
});

test('measured latency: medians of prefill and decode on this machine', async () => {
  await withTemp(async (dir) => {
    const path = join(dir, 'skeleton.onnx');
    await saveModel({ proto: buildSkeletonModel(twoBlocks, llamaLike, { kvCache: true }) }, path);
    const m = await measureLatency(path, llamaLike.vocabSize, { seqLen: 16, runs: 3, warmup: 1, threads: 1 });
    assert.ok(m.prefillMs > 0 && Number.isFinite(m.prefillMs));
    assert.ok(m.decodeMs! > 0 && Number.isFinite(m.decodeMs!));
    const noCache = join(dir, 'nocache.onnx');
    await saveModel({ proto: buildSkeletonModel(twoBlocks, llamaLike) }, noCache);
    assert.equal((await measureLatency(noCache, llamaLike.vocabSize, { seqLen: 8, runs: 1, warmup: 0 })).decodeMs, undefined);
  });
});

test('layer discovery (core/onnx) finds every unshared projection in its block, siblings and lm_head', async () => {
  const { loadModel } = await import('../../../src/core/onnx/model-file');
  const { findLinearLayers } = await import('../../../src/core/onnx/linear-layers');
  await withTemp(async (dir) => {
    const path = join(dir, 'skeleton.onnx');
    const untied: ModelSpec = { ...gptLike, tiedEmbeddings: false };
    await saveModel({ proto: buildSkeletonModel(twoBlocks, untied, { kvCache: true }) }, path);
    const scan = findLinearLayers(await loadModel(path));
    // Block 0: 2 layers × (q, k, v, o, fc1, fc2); block 1's layers share weights, so they are not prunable.
    const names = scan.layers.map((l) => l.name);
    for (const i of [0, 1]) for (const p of ['self_attn/q_proj', 'self_attn/k_proj', 'self_attn/v_proj', 'self_attn/o_proj', 'mlp/fc1', 'mlp/fc2']) assert.ok(names.includes(`/model/layers.${i}/${p}/MatMul`), `${i} ${p}: ${names.join(', ')}`);
    assert.ok(scan.layers.filter((l) => l.block === 'layers.0').length === 6);
    assert.ok(scan.siblings.some((g) => g.length === 3 && g.every((n) => n.startsWith('/model/layers.0/self_attn/'))));
    assert.equal(scan.lmHead?.name, '/lm_head/MatMul');
  });
});
