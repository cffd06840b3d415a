import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accumulateExtremes, accumulateSumSquares, channelEntropy, channelNorm, channelRms, createChannelStats } from '../../../src/core/stats/channel-stats';
import { accumulateHistogram, binScales, startHistogram } from '../../../src/core/stats/histogram';

/** Stats of rows [T, K] given column by column. */
function statsOf(columns: number[][], bins: number) {
  const K = columns.length;
  const T = columns[0]!.length;
  const data = new Float32Array(T * K);
  columns.forEach((col, k) => col.forEach((x, t) => (data[t * K + k] = x)));
  const s = createChannelStats(K, bins);
  accumulateExtremes(s, data);
  [s.count, s.sequences] = [T, 2];
  startHistogram(s);
  accumulateHistogram(s, binScales(s), data);
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

test('Σx² is the same from the histogram sweep and from the plain sum', () => {
  const columns = [[0.1, -2.5, 3.25, 7], [1e-3, 4, -4, 0.5]];
  const s = statsOf(columns, 8);
  const plain = createChannelStats(2, 8);
  accumulateSumSquares(plain, Float32Array.of(0.1, 1e-3, -2.5, 4, 3.25, -4, 7, 0.5));
  assert.deepEqual(s.sumSquares, plain.sumSquares);
});
