import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { windowBatch, type TokenWindows } from '../../../src/core/calib/sampling';
import { CancelledError } from '../../../src/core/errors';
import { makeFeeds } from '../../../src/core/onnx/model-inputs';
import type { OnnxModel } from '../../../src/core/onnx/model-file';
import { findLinearLayers } from '../../../src/core/onnx/linear-layers';
import { activationTaps } from '../../../src/core/stats/activation-taps';
import type { CalibrationStage } from '../../../src/core/stats/stage-plan';
import { stagesFitMemory } from '../../../src/core/stats/staged-pass';
import type { StatsRun } from '../../../src/core/stats/stats-run';
import { collectChannelStats, type ActivationStats } from '../../../src/core/stats/collect-stats';
import { fixtureModel, randomWindows } from './calibration-fixture';

/**
 * Reference statistics: the original graph with every tapped tensor added as an extra output,
 * all windows in one plain onnxruntime run, then per-channel loops over every token. Fusions
 * (level 'extended' and up) depend on the graph's outputs, so both sides use level 'basic' for
 * bit-identical activations.
 */
async function referenceStats(model: OnnxModel, windows: TokenWindows, tensors: string[], bins: number) {
  const graph = model.proto.graph!;
  const proto = { ...model.proto, graph: { ...graph, output: [...graph.output, ...tensors.map((name) => create(ValueInfoProtoSchema, { name }))] } };
  const path = join(model.dir, 'reference.onnx');
  writeFileSync(path, toBinary(ModelProtoSchema, proto));
  const session = await ort.InferenceSession.create(path, { graphOptimizationLevel: 'basic' });
  const out = await session.run(makeFeeds(model, windows.tokens, windows.samples, windows.seqlen), tensors);
  return new Map(
    tensors.map((name) => {
      const data = out[name]!.data as Float32Array;
      const K = out[name]!.dims.at(-1)!;
      const T = data.length / K;
      const min = new Float64Array(K), max = new Float64Array(K), sumSquares = new Float64Array(K);
      const histogram = new Uint32Array(K * bins);
      for (let k = 0; k < K; k++) {
        let lo = Infinity, hi = -Infinity, ss = 0;
        for (let t = 0; t < T; t++) {
          const x = data[t * K + k]!;
          lo = Math.min(lo, x);
          hi = Math.max(hi, x);
          ss += x * x;
        }
        for (let t = 0; t < T; t++) {
          const x = data[t * K + k]!;
          const b = hi > lo ? Math.min(bins - 1, Math.floor((x - lo) * (bins / (hi - lo)))) : 0;
          histogram[k * bins + b]++;
        }
        [min[k], max[k], sumSquares[k]] = [lo, hi, ss];
      }
      return [name, { count: T, min, max, sumSquares, histogram }];
    }),
  );
}

function assertSameStats(a: ActivationStats, b: ActivationStats): void {
  assert.deepEqual([...a.stats.keys()], [...b.stats.keys()]);
  for (const [name, s] of a.stats) assert.deepEqual(s, b.stats.get(name), name);
}

test('statistics match a plain onnxruntime run reduced by straightforward loops', async () => {
  const model = await fixtureModel('basic');
  const windows = randomWindows(5, 16);
  const bins = 32;
  // Staged with one tap per stage: every stage boundary of the fixture is crossed.
  const got = await collectChannelStats(model, windows, { bins, batch: 2, graphOptimization: 'basic', histogram: 'staged', stageBytes: 1 });
  assert.equal(got.histogram, 'staged');
  assert.ok(got.taps.length >= 4, 'every block has several tapped activations');
  const ref = await referenceStats(model, windows, got.taps.map((t) => t.tensor), bins);
  for (const [name, r] of ref) {
    const s = got.stats.get(name)!;
    assert.equal(s.count, 5 * 16);
    assert.equal(s.sequences, 5);
    assert.deepEqual(s.min, r.min, `${name} min`);
    assert.deepEqual(s.max, r.max, `${name} max`);
    s.sumSquares.forEach((v, k) => assert.ok(Math.abs(v - r.sumSquares[k]!) <= 1e-9 * r.sumSquares[k]!, `${name} sumSquares[${k}]`));
    assert.deepEqual(s.histogram, r.histogram, `${name} histogram`);
    assert.ok(s.histogram!.some((c, i) => c > 0 && i % bins !== 0 && i % bins !== bins - 1), 'values spread over inner bins');
  }
  // With all optimizations the values agree to rounding.
  const fused = await collectChannelStats(model, windows, { bins });
  for (const [name, r] of ref) fused.stats.get(name)!.max.forEach((v, k) => assert.ok(Math.abs(v - r.max[k]!) < 1e-5, name));
});

test('results do not depend on the batch size or on staging, spilling or re-running', async () => {
  const model = await fixtureModel('basic');
  const windows = randomWindows(5, 16, 11);
  const one = await collectChannelStats(model, windows, { bins: 64, batch: 1, histogram: 'spill' });
  const three = await collectChannelStats(model, windows, { bins: 64, batch: 3, histogram: 'spill' });
  const rerun = await collectChannelStats(model, windows, { bins: 64, batch: 3, histogram: 'rerun' });
  assert.equal(one.histogram, 'spill');
  assert.equal(rerun.histogram, 'rerun');
  assertSameStats(one, three);
  assertSameStats(one, rerun);
  // One stage runs the very graph the one-pass methods run: identical at every optimization level.
  assertSameStats(one, await collectChannelStats(model, windows, { bins: 64, batch: 2, histogram: 'staged', stageBytes: 1e9 }));
  assert.equal((await collectChannelStats(model, windows, { bins: 64 })).histogram, 'staged', 'auto holds a small calibration in memory');
  // Several stages: identical without fusions; with them, onnxruntime fuses differently where a
  // stage boundary falls (docs/calibration.md), so values agree to rounding.
  const basic = await collectChannelStats(model, windows, { bins: 64, batch: 3, histogram: 'spill', graphOptimization: 'basic' });
  for (const stageBytes of [1, 40_000]) {
    for (const countThreads of [1, 2] as const) {
      assertSameStats(basic, await collectChannelStats(model, windows, { bins: 64, batch: 2, histogram: 'staged', stageBytes, graphOptimization: 'basic', countThreads }));
    }
    const fused = await collectChannelStats(model, windows, { bins: 64, batch: 2, histogram: 'staged', stageBytes });
    for (const [name, s] of one.stats) {
      const t = fused.stats.get(name)!;
      s.max.forEach((v, k) => assert.ok(Math.abs(v - t.max[k]!) <= 1e-5 * Math.max(1, Math.abs(v)), `${name} max[${k}]`));
      s.sumSquares.forEach((v, k) => assert.ok(Math.abs(v - t.sumSquares[k]!) <= 1e-5 * v, `${name} sumSquares[${k}]`));
    }
  }
  const sumsOnly = await collectChannelStats(model, windows, { batch: 2, histogram: 'none' });
  for (const [name, s] of sumsOnly.stats) {
    assert.equal(s.histogram, undefined);
    assert.deepEqual([s.sumSquares, s.min, s.max, s.count], [one.stats.get(name)!.sumSquares, one.stats.get(name)!.min, one.stats.get(name)!.max, 80]);
  }
});

test('a model with external data gives the same statistics as the inline one', async () => {
  const windows = randomWindows(3, 16, 5);
  const inline = await collectChannelStats(await fixtureModel('basic'), windows, { bins: 16 });
  const external = await fixtureModel('external');
  assert.ok(readdirSync(external.dir).some((f) => f.endsWith('.data')), 'the fixture has a data file');
  assertSameStats(inline, await collectChannelStats(external, windows, { bins: 16 }));
  const opts = { bins: 16, histogram: 'staged', stageBytes: 1, graphOptimization: 'basic' } as const;
  assertSameStats(await collectChannelStats(await fixtureModel('basic'), windows, opts), await collectChannelStats(external, windows, opts));
  assert.deepEqual(readdirSync(external.dir).sort(), ['external.onnx', 'external.onnx.data'], 'nothing written next to the model');
});

test('fp16-weight and Gemm models calibrate, staged as spilled', async () => {
  for (const variant of ['fp16', 'gemm', 'minimal'] as const) {
    const model = await fixtureModel(variant);
    const got = await collectChannelStats(model, randomWindows(2, 8), { bins: 8 });
    for (const s of got.stats.values()) {
      assert.equal(s.count, 16);
      assert.ok(s.sumSquares.every((v) => Number.isFinite(v) && v > 0), variant);
      assert.equal(s.histogram!.reduce((a, c) => a + c, 0), 16 * s.sumSquares.length);
    }
    // Three windows one by one: the first run of a stage is copied, the later ones written in place by onnxruntime.
    const opts = { bins: 8, graphOptimization: 'basic', countThreads: 2 } as const;
    const spilled = await collectChannelStats(model, randomWindows(3, 8, 2), { ...opts, histogram: 'spill' });
    assertSameStats(spilled, await collectChannelStats(model, randomWindows(3, 8, 2), { ...opts, histogram: 'staged', stageBytes: 1 }));
  }
});

test('progress counts windows per stage; cancellation stops and removes the temp files', async () => {
  const model = await fixtureModel('basic');
  const windows = randomWindows(4, 16);
  const events: string[] = [];
  await collectChannelStats(model, windows, { batch: 2, histogram: 'spill', onProgress: (p) => events.push(`${p.stage} ${p.done}/${p.total}`) });
  assert.deepEqual(events, ['calibrating 0/4', 'calibrating 2/4', 'calibrating 4/4', 'histograms 2/4', 'histograms 4/4']);
  const staged: string[] = [];
  const got = await collectChannelStats(model, windows, { batch: 2, histogram: 'staged', stageBytes: 1, onProgress: (p) => staged.push(`${p.stage} ${p.done}/${p.total} ${p.detail ?? ''}`.trim()) });
  const n = got.taps.length; // one tap per stage
  const expected = Array.from({ length: n }, (_, s) => [0, 2, 4].map((d) => `calibrating ${4 * s + d}/${4 * n} part ${s + 1}/${n}`)).flat();
  assert.deepEqual(staged, expected);
  // Part 3 starts after this thread has finished stage 1's job with the worker (two threads).
  for (const countThreads of [1, 2] as const) {
    const controller = new AbortController();
    const stopAtPart3 = (p: { detail?: string }) => p.detail === `part 3/${n}` && controller.abort();
    await assert.rejects(collectChannelStats(model, windows, { batch: 1, histogram: 'staged', stageBytes: 1, countThreads, signal: controller.signal, onProgress: stopAtPart3 }), CancelledError);
  }
  for (const stage of ['calibrating', 'histograms']) {
    const tempDir = mkdtempSync(join(tmpdir(), 'merino-cancel-'));
    const controller = new AbortController();
    let sawSpill = false;
    const onProgress = (p: { stage: string; done: number }) => {
      sawSpill ||= readdirSync(tempDir).length > 0;
      if (p.stage === stage && p.done >= 1) controller.abort();
    };
    await assert.rejects(collectChannelStats(model, windows, { batch: 1, histogram: 'spill', tempDir, signal: controller.signal, onProgress }), CancelledError);
    assert.ok(sawSpill, 'the spill file existed during the run');
    assert.deepEqual(readdirSync(tempDir), [], `temp files removed after cancelling during ${stage}`);
  }
});

test('windows reach the model in order: the batch view is a plain slice', () => {
  const w = randomWindows(3, 4);
  assert.deepEqual([...windowBatch(w, 1, 2)], [...w.tokens.subarray(4, 12)]);
});

test('auto stages; it spills when the graph cannot be staged, and re-runs when the temp folder is unusable', async () => {
  const model = await fixtureModel('minimal');
  const windows = randomWindows(2, 8);
  const missing = join(tmpdir(), 'merino-no-such-dir', 'x');
  await assert.rejects(collectChannelStats(model, windows, { histogram: 'spill', tempDir: missing }), /merino-no-such-dir\/x: cannot create the activation spill folder \(ENOENT\)/);
  assert.equal((await collectChannelStats(model, windows, { tempDir: missing, stageBytes: 1 })).histogram, 'staged');
  // Taps listed against graph order (the last layer's first) cannot be staged: auto spills, or re-runs.
  const reversed = activationTaps(findLinearLayers(model)).reverse();
  assert.equal((await collectChannelStats(model, windows, { stageBytes: 1, taps: reversed })).histogram, 'spill');
  assert.equal((await collectChannelStats(model, windows, { tempDir: missing, stageBytes: 1, taps: reversed })).histogram, 'rerun');
  await assert.rejects(collectChannelStats(model, windows, { histogram: 'staged', stageBytes: 1, taps: reversed }), /minimal\.onnx: the graph cannot be calibrated in stages/);
});

test('stages must fit in WebAssembly memory: 3.5 GiB for this thread\'s stage, or two stages in the worker\'s', () => {
  // LLaMA-7B-like taps over 64 × 2048 tokens: 4096 channels are 2.1 GB a stage, 11008 channels 5.8 GB.
  const run = (channels: number, countThreads?: 1 | 2) =>
    ({ windows: { samples: 64, seqlen: 2048 }, opts: { batch: 1, countThreads }, taps: [{ channels }] }) as unknown as StatsRun;
  const stage = [{ taps: [0], nodes: [], carriedIn: [], carriedOut: [] }] as unknown as CalibrationStage[];
  assert.equal(stagesFitMemory(run(4096), stage), true, 'counted on this thread alone');
  assert.equal(stagesFitMemory(run(4096, 2), stage), false, 'the worker would hold 4.3 GB');
  assert.equal(stagesFitMemory(run(1024, 2), stage), true);
  assert.equal(stagesFitMemory(run(11008), stage), false);
});
