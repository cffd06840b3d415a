import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChannelStats } from '../../../src/core/stats/channel-stats';
import { channelEntropy, channelNorm, channelRms } from '../../../src/core/stats/channel-stats';
import { normalizedChannelEntropy } from '../../../src/core/prune/channel-metrics';
import { esparseChannelFactors, esparseScores, magnitudeScores, pruningScores, wandaScores } from '../../../src/core/prune/scores';
import { nmMask } from '../../../src/core/prune/nm-mask';
import type { WeightMatrix } from '../../../src/core/prune/weight-matrix';
import { randomChannelStats, randomMatrix } from './random-matrix';

// W stored [K=2, N=3]: row k = input channel k.
const w: WeightMatrix = { data: Float32Array.from([1, -2, 3, -4, 5, -6]), K: 2, N: 3, layout: 'KN' };
// The same weight stored [N=3, K=2].
const wT: WeightMatrix = { data: Float32Array.from([1, -4, -2, 5, 3, -6]), K: 2, N: 3, layout: 'NK' };

// Channel 0 takes values {0, 0, 1, 1} (2 bins: H = ln 2), channel 1 is constant 2 (H = 0).
// T = 4 tokens in 2 sequences. Σx²: channel 0 = 2, channel 1 = 16.
const stats: ChannelStats = {
  count: 4,
  sequences: 2,
  sumSquares: Float64Array.from([2, 16]),
  min: Float64Array.from([0, 2]),
  max: Float64Array.from([1, 2]),
  histogram: Uint32Array.from([2, 2, 4, 0]),
  bins: 2,
};

function close(actual: ArrayLike<number>, expected: number[], digits = 5): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 10 ** -digits, `[${i}] ${actual[i]} ≠ ${e}`));
}

test('magnitude is |W| in the stored layout', () => {
  close(magnitudeScores(w), [1, 2, 3, 4, 5, 6]);
  close(magnitudeScores(wT), [1, 4, 2, 5, 3, 6]);
});

test('channel metrics by hand: entropy in nats, normalized by ln(bins), RMS over T, norm over N_seq', () => {
  close(channelEntropy(stats), [Math.LN2, 0]);
  close(normalizedChannelEntropy(stats), [1, 0]);
  close(channelRms(stats), [Math.sqrt(2 / 4), Math.sqrt(16 / 4)]);
  close(channelNorm(stats), [1, Math.sqrt(8)]);
});

test('wanda is |W|·sqrt(Σx²/N_seq) in both layouts', () => {
  const n0 = 1;
  const n1 = Math.sqrt(8);
  close(wandaScores(w, stats), [1 * n0, 2 * n0, 3 * n0, 4 * n1, 5 * n1, 6 * n1]);
  close(wandaScores(wT, stats), [1 * n0, 4 * n1, 2 * n0, 5 * n1, 3 * n0, 6 * n1]);
});

test('esparse is |W|·(Ĥ + α·r̂), and |W|·r̂ for α = Infinity', () => {
  // r = [sqrt(0.5), 2], mean = (sqrt(0.5) + 2) / 2; Ĥ = [1, 0].
  const r = [Math.sqrt(0.5), 2];
  const mean = (r[0] + r[1]) / 2;
  const rHat = r.map((v) => v / mean);
  const alpha = 0.5;
  const f = [1 + alpha * rHat[0], 0 + alpha * rHat[1]];
  close(esparseScores(w, stats, alpha), [1 * f[0], 2 * f[0], 3 * f[0], 4 * f[1], 5 * f[1], 6 * f[1]]);
  close(esparseScores(wT, stats, 0), [1, 0, 2, 0, 3, 0]);
  close(esparseScores(w, stats, Infinity), [1, 2, 3, 4, 5, 6].map((v, i) => v * rHat[i < 3 ? 0 : 1]));
});

test('esparse with α = Infinity gives the same N:M mask as wanda on random layers', () => {
  for (const layout of ['KN', 'NK'] as const) {
    const weight = randomMatrix(64, 48, layout, 11);
    const s = randomChannelStats(64, 4, 16, 32, 12);
    const wanda = nmMask({ ...weight, data: wandaScores(weight, s) }, { n: 2, m: 4 });
    const esparse = nmMask({ ...weight, data: esparseScores(weight, s, Infinity) }, { n: 2, m: 4 });
    assert.ok(wanda.kind === 'nm' && esparse.kind === 'nm');
    assert.deepEqual(esparse.mask, wanda.mask);
    // A finite α ranks differently (entropy matters), which is the point of the method.
    const finite = nmMask({ ...weight, data: esparseScores(weight, s, 0) }, { n: 2, m: 4 });
    assert.ok(finite.kind === 'nm');
    assert.notDeepEqual(finite.mask, wanda.mask);
  }
});

test('bad statistics and options give clear errors', () => {
  assert.throws(() => wandaScores(w, { ...stats, sumSquares: new Float64Array(3) }, 'h.0.attn'), /h\.0\.attn: .*3 sumSquares values for K=2/);
  assert.throws(() => esparseScores(w, { ...stats, histogram: undefined }, 1), /esparse needs per-channel histograms/);
  assert.throws(() => esparseScores(w, stats, -1), /alpha must be ≥ 0/);
  assert.throws(() => esparseScores(w, { ...stats, histogram: Uint32Array.from([2, 1, 4, 0]) }, 1), /channel 0 counts 3 values, expected 4/);
  assert.throws(() => pruningScores('wanda', w, undefined, { alpha: 1, name: 'fc1' }), /fc1: wanda needs calibration statistics/);
  assert.throws(() => magnitudeScores({ ...w, K: 3 }), /does not match shape/);
});

test('magnitude, wanda and esparse scores are bit-identical to the plain loop |W[k,n]|·factor[k], any shape and layout', () => {
  const shapes = [[1, 1], [3, 5], [4, 4], [5, 13], [13, 4], [64, 48], [300, 1000], [1000, 300]] as const;
  for (const [K, N] of shapes) {
    for (const layout of ['KN', 'NK'] as const) {
      const weight = randomMatrix(K, N, layout, K * 7 + N);
      weight.data[0] = -0; // signs and zeros: |−0| = 0
      const s = randomChannelStats(K, 3, 8, 16, K + N);
      for (const [scores, factor] of [
        [wandaScores(weight, s), channelNorm(s)],
        [esparseScores(weight, s, 0.3), esparseChannelFactors(s, 0.3)],
        [magnitudeScores(weight), new Float64Array(K).fill(1)],
      ] as const) {
        const expected = new Float32Array(K * N);
        for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) {
          const i = layout === 'KN' ? k * N + n : n * K + k;
          expected[i] = Math.abs(weight.data[i]!) * factor[k]!;
        }
        scores.forEach((v, i) => assert.ok(Object.is(v, expected[i]), `${K}×${N} ${layout} [${i}]: ${v} ≠ ${expected[i]}`));
      }
    }
  }
});
