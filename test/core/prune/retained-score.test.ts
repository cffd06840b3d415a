import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nmMask } from '../../../src/core/prune/nm-mask';
import type { NmPattern } from '../../../src/core/prune/pattern';
import { permuteChannels } from '../../../src/core/prune/permutation';
import { retainedScore } from '../../../src/core/prune/retained-score';
import type { WeightMatrix } from '../../../src/core/prune/weight-matrix';
import { createPrng as seededRandom } from '../../../src/core/calib/prng';
import { randomScores } from './random-matrix';

test('R by hand: one output unit, 8 channels, 2:4', () => {
  const s: WeightMatrix = { data: Float32Array.from([8, 7, 6, 5, 4, 3, 2, 1]), K: 8, N: 1, layout: 'KN' };
  const p = { n: 2, m: 4 };
  assert.deepEqual(retainedScore([s], p), { retained: 15 + 7, total: 36, ratio: 22 / 36 });
  // groups {8, 5, 4, 1} and {7, 6, 3, 2}
  assert.equal(retainedScore([s], p, Int32Array.from([0, 3, 4, 7, 1, 2, 5, 6])).retained, 13 + 13);
});

/**
 * The plain implementation the SIMD kernel replaced: for each output unit and group, sort the permuted
 * group's scores and add the N largest (float64 throughout).
 */
function referenceR(siblings: WeightMatrix[], p: NmPattern, perm: Int32Array): { retained: number; total: number } {
  let retained = 0;
  let total = 0;
  for (const s of siblings) {
    for (let n = 0; n < s.N; n++) {
      for (let k0 = 0; k0 < s.K; k0 += p.m) {
        const values = Array.from(perm.subarray(k0, k0 + p.m), (k) => s.data[s.layout === 'KN' ? k * s.N + n : n * s.K + k]);
        total += values.reduce((a, b) => a + b, 0);
        retained += values.sort((a, b) => b - a).slice(0, p.n).reduce((a, b) => a + b, 0);
      }
    }
  }
  return { retained, total };
}

/** The kernel sums in float32 per lane over chunks of columns: a relative error ~1e-7. */
const close = (actual: number, expected: number) => Math.abs(actual - expected) <= 1e-6 * Math.abs(expected);

test('R over siblings and permutations matches a reference, and the N:M mask of the permuted scores', () => {
  const random = seededRandom(9);
  for (let trial = 0; trial < 10; trial++) {
    const p = { n: 1 + (trial % 3), m: 4 + 4 * (trial % 2) };
    const K = p.m * (2 + (trial % 4));
    const siblings = [randomScores(K, 3, 'KN', trial), randomScores(K, 5, 'NK', trial + 100)];
    const perm = Int32Array.from([...Array(K).keys()].sort(() => random() - 0.5));
    const r = retainedScore(siblings, p, perm);
    const expected = referenceR(siblings, p, perm);
    assert.ok(close(r.retained, expected.retained) && close(r.total, expected.total));
    let masked = 0;
    for (const s of siblings) {
      const m = nmMask(permuteChannels(s, perm), p);
      assert.ok(m.kind === 'nm');
      masked += m.retained;
    }
    assert.ok(close(r.retained, masked));
  }
});

test('R on layers wider than a kernel chunk and taller than a tile, every pattern, both layouts', () => {
  // width 1030 (not a multiple of 4: padding columns), K = 320 (several 256 KB tiles), siblings in both layouts
  const random = seededRandom(5);
  for (const [i, p] of [{ n: 2, m: 4 }, { n: 1, m: 2 }, { n: 3, m: 8 }, { n: 5, m: 16 }, { n: 15, m: 16 }, { n: 4, m: 10 }].entries()) {
    const K = 320;
    const siblings = [randomScores(K, 1027, i % 2 ? 'NK' : 'KN', i), randomScores(K, 3, 'NK', 50 + i)];
    const perm = Int32Array.from([...Array(K).keys()].sort(() => random() - 0.5));
    for (const order of [undefined, perm]) {
      const r = retainedScore(siblings, p, order);
      const expected = referenceR(siblings, p, order ?? Int32Array.from(Array(K).keys()));
      assert.ok(close(r.retained, expected.retained), `${p.n}:${p.m} R ${r.retained} vs ${expected.retained}`);
      assert.ok(close(r.total, expected.total), `${p.n}:${p.m} total ${r.total} vs ${expected.total}`);
      assert.equal(r.ratio, r.retained / r.total);
    }
  }
});
