import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMask } from '../../../src/core/prune/apply-mask';
import { PatternPruner } from '../../../src/core/prune/nm-kernel';
import { nmMask } from '../../../src/core/prune/nm-mask';
import type { WeightMatrix, WeightLayout } from '../../../src/core/prune/weight-matrix';

/** Deterministic values with many ties and a few NaN scores. */
function matrices(K: number, N: number, layout: WeightLayout, seed: number): { weight: WeightMatrix; scores: WeightMatrix } {
  const w = Float32Array.from({ length: K * N }, (_, i) => Math.sin((i + seed) * 12.9898) * 4);
  const s = w.map((x, i) => (i % 13 === 0 ? NaN : i % 5 === 0 ? 0.5 : Math.round(Math.abs(x) * 4) / 4));
  return { weight: { data: w, K, N, layout }, scores: { data: s, K, N, layout } };
}

test('the kernel keeps exactly what nmMask keeps, zeroes exactly the dropped weights and counts zeros', () => {
  const cases: [number, number, number, number, WeightLayout][] = [
    [2, 4, 64, 48, 'KN'], [4, 8, 32, 20, 'KN'], [1, 3, 9, 12, 'KN'], [3, 16, 32, 8, 'KN'], [2, 4, 16, 6, 'KN'], [2, 4, 16, 12, 'NK'],
  ];
  for (const [n, m, K, N, layout] of cases) {
    const pruner = new PatternPruner({ n, m });
    for (const seed of [1, 2]) {
      const { weight, scores } = matrices(K, N, layout, seed);
      const reference = nmMask(scores, { n, m });
      assert.equal(reference.kind, 'nm');
      if (reference.kind !== 'nm') return;
      const expected = weight.data.slice();
      applyMask(expected, reference.mask);
      const got = pruner.run(weight, scores);
      const label = `${n}:${m} K=${K} N=${N} ${layout} seed ${seed}`;
      assert.equal(got.kind, 'nm', label);
      if (got.kind !== 'nm') return;
      assert.deepEqual(got.mask, reference.mask, `${label} mask`);
      assert.deepEqual(weight.data, expected, `${label} weights`);
      assert.equal(got.zeros, expected.filter((x) => x === 0).length, `${label} zeros`);
      // R sums kept scores with NaN as −∞ (so −∞ when a NaN is kept); the total is plain.
      if (Number.isFinite(reference.retained)) assert.ok(Math.abs(got.retained - reference.retained) <= 1e-6 * Math.abs(reference.retained), `${label} R`);
      else assert.equal(got.retained, reference.retained, `${label} R`);
    }
  }
});

test('a K that is not a multiple of M stays dense and the weight is untouched', () => {
  const { weight, scores } = matrices(10, 8, 'KN', 3);
  const before = weight.data.slice();
  const got = new PatternPruner({ n: 2, m: 4 }).run(weight, scores);
  assert.equal(got.kind, 'dense');
  assert.deepEqual(weight.data, before);
});
