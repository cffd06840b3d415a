import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unstructuredMask } from '../../../src/core/prune/unstructured-mask';
import type { WeightMatrix } from '../../../src/core/prune/weight-matrix';
import { createPrng as seededRandom } from '../../../src/core/calib/prng';
import { randomScores } from './random-matrix';

test('per output unit, the ⌊K·s⌋ lowest scores go; ties prune the higher k first', () => {
  // Stored [N=2, K=5]: unit 0 = [3, 1, 2, 1, 5], unit 1 = [2, 2, 2, 0, 9]; ⌊5 · 0.5⌋ = 2 pruned per unit.
  const scores: WeightMatrix = { data: Float32Array.from([3, 1, 2, 1, 5, 2, 2, 2, 0, 9]), K: 5, N: 2, layout: 'NK' };
  const result = unstructuredMask(scores, 0.5);
  assert.deepEqual([...result.mask], [1, 0, 1, 0, 1, 1, 1, 0, 0, 1]);
  assert.equal(result.retained, 3 + 2 + 5 + 2 + 2 + 9);
  assert.equal(result.total, 12 + 15);
});

test('exact per-unit counts and a threshold property on random scores, both layouts', () => {
  const random = seededRandom(5);
  for (let trial = 0; trial < 12; trial++) {
    const K = 3 + Math.floor(random() * 60);
    const N = 1 + Math.floor(random() * 7);
    const s = 0.05 + random() * 0.9;
    const layout = trial % 2 ? 'KN' : 'NK';
    const scores = randomScores(K, N, layout, trial);
    if (trial % 3 === 0) scores.data.forEach((v, i) => (scores.data[i] = Math.round(v)));
    const { mask } = unstructuredMask(scores, s);
    for (let n = 0; n < N; n++) {
      const at = (k: number) => (layout === 'KN' ? k * N + n : n * K + k);
      const pruned = [...Array(K).keys()].filter((k) => !mask[at(k)]);
      const kept = [...Array(K).keys()].filter((k) => mask[at(k)]);
      assert.equal(pruned.length, Math.floor(K * s));
      // every pruned score is ≤ every kept one, and on equal scores the pruned k is the higher
      for (const p of pruned) {
        for (const q of kept) {
          const sp = scores.data[at(p)];
          const sq = scores.data[at(q)];
          assert.ok(sp < sq || (sp === sq && p > q), `trial ${trial} unit ${n}: pruned k=${p} (${sp}) vs kept k=${q} (${sq})`);
        }
      }
    }
  }
});

test('sparsity outside (0, 1) is refused', () => {
  const scores: WeightMatrix = { data: new Float32Array(4), K: 4, N: 1, layout: 'KN' };
  assert.throws(() => unstructuredMask(scores, 1), /sparsity must be in \(0, 1\)/);
  assert.throws(() => unstructuredMask(scores, 0), /sparsity must be in \(0, 1\)/);
});
