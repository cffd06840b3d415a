import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nmMask } from '../../../src/core/prune/nm-mask';
import { applyMask } from '../../../src/core/prune/apply-mask';
import { pruneSiblings } from '../../../src/core/prune/prune-siblings';
import { retainedScore } from '../../../src/core/prune/retained-score';
import { esparseScores } from '../../../src/core/prune/scores';
import type { WeightMatrix } from '../../../src/core/prune/weight-matrix';
import { randomChannelStats, randomMatrix } from './random-matrix';

const K = 64;
const stats = randomChannelStats(K, 4, 16, 32, 3);
const siblings = () => [
  { name: 'q', weight: randomMatrix(K, 12, 'NK', 1) },
  { name: 'k', weight: randomMatrix(K, 8, 'KN', 2) },
];
const at = (w: WeightMatrix, k: number, n: number) => (w.layout === 'KN' ? k * w.N + n : n * w.K + k);

test('siblings share one permutation; each pruned weight is 2:4 in stored order and keeps its values', () => {
  const original = siblings();
  const result = pruneSiblings(siblings(), stats, { method: 'esparse', pattern: { n: 2, m: 4 }, shuffle: 'both', alpha: 1, block: 16 });
  assert.ok(result.perm, 'random layers gain from shuffling');
  const perm = result.perm;
  assert.ok(result.stages.some((s) => s.applied));
  const scores = original.map(({ weight }) => ({ ...weight, data: esparseScores(weight, stats, 1) }));
  const lastApplied = result.stages.filter((s) => s.applied).at(-1)!;
  assert.ok(Math.abs(retainedScore(scores, { n: 2, m: 4 }, perm).retained - lastApplied.after) < 1e-6 * lastApplied.after);
  result.layers.forEach((layer, i) => {
    const w = original[i].weight;
    assert.equal(layer.zeros, (K * w.N) / 2);
    for (let n = 0; n < w.N; n++) {
      for (let k0 = 0; k0 < K; k0 += 4) {
        let nonzero = 0;
        for (let k = k0; k < k0 + 4; k++) {
          const v = layer.weight.data[at(w, k, n)];
          if (layer.mask![at(w, k, n)]) assert.equal(v, w.data[at(w, perm[k], n)]);
          else assert.equal(v, 0);
          if (v !== 0) nonzero++;
        }
        assert.ok(nonzero <= 2);
      }
    }
  });
  const retained = result.layers.reduce((a, l) => a + l.retained, 0);
  assert.ok(Math.abs(retained - lastApplied.after) < 1e-6 * retained);
});

test('without shuffle it is the plain mask, applied in place', () => {
  const layers = siblings();
  const expected = layers.map(({ weight }) => {
    const mask = nmMask({ ...weight, data: weight.data.map(Math.abs) }, { n: 1, m: 4 });
    assert.ok(mask.kind === 'nm');
    const pruned = weight.data.slice();
    applyMask(pruned, mask.mask);
    return pruned;
  });
  const result = pruneSiblings(layers, undefined, { method: 'magnitude', pattern: { n: 1, m: 4 }, shuffle: 'none', alpha: 1 });
  assert.equal(result.perm, undefined);
  result.layers.forEach((layer, i) => {
    assert.equal(layer.weight.data, layers[i].weight.data);
    assert.deepEqual(layer.weight.data, expected[i]);
  });
});

test('dense when K is not a multiple of M; unstructured baseline', () => {
  const odd = [{ name: 'fc', weight: randomMatrix(6, 4, 'KN', 5) }];
  const before = odd[0].weight.data.slice();
  const dense = pruneSiblings(odd, undefined, { method: 'magnitude', pattern: { n: 2, m: 4 }, shuffle: 'both', alpha: 1 });
  assert.equal(dense.layers[0].denseReason, 'K=6 is not a multiple of M=4');
  assert.deepEqual(odd[0].weight.data, before);
  const unstructured = pruneSiblings(siblings(), stats, { method: 'wanda', sparsity: 0.25, shuffle: 'both', alpha: 1 });
  assert.deepEqual(unstructured.stages, []);
  assert.deepEqual(unstructured.layers.map((l) => l.zeros), [16 * 12, 16 * 8]);
});
