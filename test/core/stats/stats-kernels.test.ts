import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChannelStats, createChannelStats } from '../../../src/core/stats/channel-stats';
import { binScales, startHistogram } from '../../../src/core/stats/histogram';
import { HistogramHelper, newClaims, READY, stageStats } from '../../../src/core/stats/histogram-share';
import { kernelsEnd, StatsKernels } from '../../../src/core/stats/stats-kernels';
import { ensureMemory, SHARED_MEMORY_PAGES } from '../../../src/core/wasm-assembler';
import { CancelledError } from '../../../src/core/errors';

/** Seeded uniform numbers in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * rows × K activations: random values on a grid of 1/8 (many exactly on bin edges and many ties),
 * every fifth channel constant, one channel with its min and max repeated, some channels wide.
 */
function activations(rows: number, K: number, seed: number): Float32Array {
  const next = uniform(seed);
  return Float32Array.from({ length: rows * K }, (_, i) => {
    const k = i % K;
    if (k % 5 === 4) return 1.25;
    if (k % 7 === 3) return next() < 0.5 ? -3 : 5;
    return Math.round((next() - 0.4) * 64 * (k % 3 === 0 ? 10 : 1)) / 8;
  });
}

/** min, max and Σx² (float64, row order) and the histogram, by the definitions, over all windows. */
function reference(windows: Float32Array[], K: number, bins: number) {
  const min = new Float64Array(K).fill(Infinity);
  const max = new Float64Array(K).fill(-Infinity);
  const sumSquares = new Float64Array(K);
  for (const data of windows) {
    for (let i = 0; i < data.length; i++) {
      const [k, x] = [i % K, data[i]!];
      min[k] = Math.min(min[k]!, x);
      max[k] = Math.max(max[k]!, x);
      sumSquares[k] += x * x;
    }
  }
  const histogram = new Uint32Array(K * bins);
  for (const data of windows) {
    for (let i = 0; i < data.length; i++) {
      const k = i % K;
      const [lo, hi] = [min[k]!, max[k]!];
      const b = hi > lo ? Math.min(bins - 1, Math.floor((data[i]! - lo) * (bins / (hi - lo)))) : 0;
      histogram[k * bins + b]!++;
    }
  }
  return { min, max, sumSquares, histogram };
}

/** Runs the kernels over the windows, each placed `offset` floats into the input area among garbage. */
function run(kernels: StatsKernels, windows: Float32Array[], K: number, bins: number, offset: number): ChannelStats {
  const stats = createChannelStats(K, bins);
  const place = (data: Float32Array) => {
    const area = kernels.input(offset + data.length + 2 * K, K, bins);
    area.fill(NaN).fill(3e38, offset + data.length);
    area.set(data, offset);
  };
  for (const data of windows) {
    place(data);
    kernels.reduce(stats, data.length, offset);
  }
  startHistogram(stats);
  const scales = binScales(stats);
  for (const data of windows) {
    place(data);
    kernels.count(stats, scales, data.length, offset);
  }
  return stats;
}

test('reduce and count match the definitions bit for bit for every K, row count and offset', () => {
  const kernels = new StatsKernels();
  const shapes: [K: number, rows: number][] = [
    [1, 1], [1, 9], [2, 5], [3, 17], [4, 1], [5, 16], [7, 33], [8, 2], [12, 40], [15, 15],
    [16, 17], [17, 3], [31, 20], [33, 1], [64, 31], [259, 18], [300, 7], [515, 5],
  ];
  for (const [K, rows] of shapes) {
    for (const bins of [3, 256]) {
      const windows = [activations(rows, K, K * 31 + rows), activations(rows + 1, K, K + 7)];
      const want = reference(windows, K, bins);
      for (const offset of [0, 5]) {
        const got = run(kernels, windows, K, bins, offset);
        const where = `K=${K} rows=${rows} bins=${bins} offset=${offset}`;
        assert.deepEqual(got.min, want.min, `${where} min`);
        assert.deepEqual(got.max, want.max, `${where} max`);
        assert.deepEqual(got.sumSquares, want.sumSquares, `${where} Σx²`);
        assert.deepEqual(got.histogram, want.histogram, `${where} histogram`);
      }
    }
  }
});

test('the row order of Σx² is kept: a sum that rounds differently in another order matches the loop', () => {
  const K = 9;
  const column = [1e8, 1, -1e8, 1, 3, 1e-4, 7e7, 1];
  const data = Float32Array.from({ length: column.length * K }, (_, i) => column[Math.floor(i / K)]! * (1 + (i % K)));
  const want = reference([data], K, 4).sumSquares;
  const got = run(new StatsKernels(), [data], K, 4, 0).sumSquares;
  assert.deepEqual(got, want);
  const sorted = [...column].map((x) => x * x).sort((a, b) => a - b).reduce((a, b) => a + b, 0);
  assert.notEqual(got[0], sorted, 'the data must be order-sensitive for this test to mean anything');
});

test('min and max order −0 before +0, as float32x4 min/max do; a NaN makes the channel min, max and Σx² NaN', () => {
  const K = 8;
  const rows = [
    [0, -0, 1, 2, 3, 4, 5, 6],
    [-0, 0, 1, NaN, 3, 4, 5, 6],
  ];
  const data = Float32Array.from(rows.flat());
  const stats = createChannelStats(K, 4);
  const kernels = new StatsKernels();
  kernels.input(data.length, K, 4).set(data);
  kernels.reduce(stats, data.length);
  assert.ok(Object.is(stats.min[0], -0) && Object.is(stats.max[0], 0), 'channel 0');
  assert.ok(Object.is(stats.min[1], -0) && Object.is(stats.max[1], 0), 'channel 1');
  assert.ok(Number.isNaN(stats.min[3]) && Number.isNaN(stats.max[3]) && Number.isNaN(stats.sumSquares[3]), 'channel 3');
  assert.deepEqual([stats.min[4], stats.max[4], stats.sumSquares[4]], [3, 3, 18], 'channel 4 is unaffected');
});

test('countChunks counts several stretches of the input area in one sweep, on its own or on a shared memory', () => {
  const [K, bins] = [37, 16];
  const windows = [activations(9, K, 1), activations(20, K, 2), activations(3, K, 3)];
  const want = reference(windows, K, bins);
  const shared = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MEMORY_PAGES, shared: true });
  for (const kernels of [new StatsKernels(), new StatsKernels(shared)]) {
    const stats = createChannelStats(K, bins);
    const chunks = windows.map((w, i) => ({ offset: 7 * i + windows.slice(0, i).reduce((a, x) => a + x.length, 0), length: w.length }));
    const area = kernels.input(chunks.at(-1)!.offset + chunks.at(-1)!.length, K, bins).fill(NaN); // garbage between the chunks
    windows.forEach((w, i) => [area.set(w, chunks[i]!.offset), kernels.reduce(stats, w.length, chunks[i]!.offset)]);
    startHistogram(stats);
    kernels.countChunks(stats, binScales(stats), chunks);
    assert.deepEqual([stats.min, stats.max, stats.histogram], [want.min, want.max, want.histogram]);
  }
});

test('stageStats takes only the taps not yet claimed, with kernels whose scratch sits above another thread\'s', () => {
  const bins = 8;
  const shapes = [5, 12, 7];
  const windows = shapes.map((K, i) => [activations(6, K, 10 + i), activations(4, K, 20 + i)]);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MEMORY_PAGES, shared: true });
  let at = 0;
  const taps = windows.map((ws, i) => ({
    channels: shapes[i]!,
    bins,
    chunks: ws.map((w) => ({ offset: (at += w.length) - w.length, length: w.length })),
  }));
  ensureMemory(memory, 4 * at);
  windows.flat().forEach((w, i) => new Float32Array(memory.buffer).set(w, taps.flatMap((t) => t.chunks)[i]!.offset));
  const job = { storeFloats: at, taps, claims: newClaims() };
  job.claims[0] = 1; // another thread took tap 0
  const kernels = new StatsKernels(memory, kernelsEnd(at, 12, bins));
  const got = stageStats(job, kernels);
  assert.deepEqual(got.map((g) => g.tap), [1, 2]);
  for (const g of got) {
    const want = reference(windows[g.tap]!, shapes[g.tap]!, bins);
    assert.deepEqual([g.min, g.max, g.sumSquares, g.histogram], [want.min, want.max, want.sumSquares, want.histogram]);
  }
  assert.deepEqual(stageStats(job, kernels), [], 'every tap is taken');
});

test('the worker places the windows that arrive during a job between its taps, and takes the job after them next', async () => {
  const bins = 16;
  const shapes = [[64, 96, 48], [80, 32]];
  const windows = shapes.map((stage, s) => stage.map((K, i) => [activations(48, K, 30 + 10 * s + i), activations(40, K, 50 + 10 * s + i)]));
  const region = Math.max(...windows.map((stage) => stage.flat().reduce((a, w) => a + w.length, 0)));
  const helper = HistogramHelper.start(true);
  try {
    assert.ok(helper.hasWorker);
    helper.reserveStore(2 * region);
    // Stage 0 in the first half, stage 1 in the second; all posted at once, so stage 1's windows and
    // job wait in the queue while the worker sweeps stage 0.
    const jobs = windows.map((stage, s) => {
      let at = s * region;
      const taps = stage.map((ws, i) => ({
        channels: shapes[s]![i]!,
        bins,
        chunks: ws.map((w) => {
          helper.place(w.slice(), at);
          return { offset: (at += w.length) - w.length, length: w.length };
        }),
      }));
      const job = { storeFloats: 2 * region, taps, claims: newClaims() };
      return { job, result: helper.stageStats(job) };
    });
    for (const [s, { job, result }] of jobs.entries()) {
      const got = await result;
      assert.equal(job.claims[READY], 1);
      assert.deepEqual(got.map((g) => g.tap), shapes[s]!.map((_, i) => i), 'the worker takes every tap');
      for (const g of got) {
        const want = reference(windows[s]![g.tap]!, shapes[s]![g.tap]!, bins);
        assert.deepEqual([g.min, g.max, g.sumSquares, g.histogram], [want.min, want.max, want.sumSquares, want.histogram]);
      }
    }
  } finally {
    helper.stop();
  }
});

test('an abort fails the worker\'s pending job at once; its late answer and later requests are dropped, not thrown', async () => {
  const K = 256;
  const ws = [activations(512, K, 71), activations(512, K, 72)];
  const controller = new AbortController();
  const helper = HistogramHelper.start(true, controller.signal);
  try {
    helper.reserveStore(2 * 512 * K);
    const taps = [0, 1].map((i) => ({ channels: K, bins: 256, chunks: [{ offset: i * 512 * K, length: 512 * K }] }));
    ws.forEach((w, i) => helper.place(w.slice(), i * 512 * K));
    const job = { storeFloats: 2 * 512 * K, taps, claims: newClaims() };
    const pending = helper.stageStats(job);
    controller.abort();
    await assert.rejects(pending, CancelledError);
    while (Atomics.load(job.claims, 0) <= taps.length) await new Promise((r) => setTimeout(r, 5)); // the worker has finished the job
    await new Promise((r) => setTimeout(r, 100)); // and its answer has arrived
    await assert.rejects(helper.stageStats({ ...job, claims: newClaims() }), CancelledError);
  } finally {
    helper.stop();
  }
});
