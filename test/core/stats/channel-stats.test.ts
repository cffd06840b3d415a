import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelEntropy, channelNorm, channelRms, createChannelStats } from '../../../src/core/stats/channel-stats';
import { binScales, startHistogram } from '../../../src/core/stats/histogram';
import { StatsKernels } from '../../../src/core/stats/stats-kernels';

/** Stats of rows [T, K] given column by column. */
function statsOf(columns: number[][], bins: number) {
  const K = columns.length;
  const T = columns[0]!.length;
  const data = new Float32Array(T * K);
  columns.forEach((col, k) => col.forEach((x, t) => (data[t * K + k] = x)));
  const s = createChannelStats(K, bins);
  const kernels = new StatsKernels();
  kernels.input(data.length, K, bins).set(data);
  kernels.reduce(s, data.length);
  [s.count, s.sequences] = [T, 2];
  startHistogram(s);
  kernels.count(s, binScales(s), data.length);
  return s;
}

test('entropy: uniform over all bins is ln(bins), a constant channel 0, two equal halves ln 2', () => {
  const bins = 4;
  const s = statsOf([[0, 1, 2, 3, 0, 1, 2, 3], [5, 5, 5, 5, 5, 5, 5, 5], [-1, -1, -1, -1, 1, 1, 1, 1]], bins);
  const h = channelEntropy(s);
  assert.ok(Math.abs(h[0]! - Math.log(4)) < 1e-12);
  assert.equal(h[1], 0);
  assert.ok(Math.abs(h[2]! - Math.log(2)) < 1e-12);
  assert.deepEqual([...s.histogram!.subarray(0, 4)], [2, 2, 2, 2], 'max falls in the last bin');
  assert.deepEqual([...s.histogram!.subarray(8, 12)], [4, 0, 0, 4]);
});

test('count, min, max, RMS over T and the Wanda norm over N_seq', () => {
  const s = statsOf([[3, -4, 0, 0]], 2);
  assert.equal(s.count, 4);
  assert.deepEqual([s.min[0], s.max[0]], [-4, 3]);
  assert.equal(channelRms(s)[0], Math.sqrt(25 / 4));
  assert.equal(channelNorm(s)[0], Math.sqrt(25 / 2));
});

test('the kernels match plain loops bit for bit, for K with and without a SIMD tail, across calls', () => {
  const kernels = new StatsKernels();
  for (const [K, rows, bins] of [[12, 40, 16], [7, 33, 5], [3, 70, 256], [1, 9, 3]] as const) {
    const data = Float32Array.from({ length: rows * K }, (_, i) => (i % K === 2 ? 1.5 : Math.sin(i * 12.9898) * 43.758));
    const half = (K * rows) / 2 - ((K * rows) / 2) % K;
    const s = createChannelStats(K, bins);
    for (const part of [data.subarray(0, half), data.subarray(half)]) {
      kernels.input(part.length, K, bins).set(part);
      kernels.reduce(s, part.length);
    }
    startHistogram(s);
    const scales = binScales(s);
    for (const part of [data.subarray(0, half), data.subarray(half)]) {
      kernels.input(part.length, K, bins).set(part);
      kernels.count(s, scales, part.length);
    }
    for (let k = 0; k < K; k++) {
      let [lo, hi, ss] = [Infinity, -Infinity, 0];
      for (let t = 0; t < rows; t++) {
        const x = data[t * K + k]!;
        [lo, hi, ss] = [Math.min(lo, x), Math.max(hi, x), ss + x * x];
      }
      assert.deepEqual([s.min[k], s.max[k], s.sumSquares[k]], [lo, hi, ss], `K=${K} channel ${k}`);
      const counts = new Array<number>(bins).fill(0);
      for (let t = 0; t < rows; t++) counts[hi > lo ? Math.min(bins - 1, Math.floor((data[t * K + k]! - lo) * (bins / (hi - lo)))) : 0]!++;
      assert.deepEqual([...s.histogram!.subarray(k * bins, (k + 1) * bins)], counts, `K=${K} channel ${k} histogram`);
    }
  }
});
