import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMask, keptScore } from '../../../src/core/prune/apply-mask';
import { nmMask } from '../../../src/core/prune/nm-mask';
import type { NmPattern } from '../../../src/core/prune/pattern';
import type { WeightMatrix } from '../../../src/core/prune/weight-matrix';
import { createPrng as seededRandom } from '../../../src/core/calib/prng';
import { randomMatrix } from './random-matrix';

function transpose(m: WeightMatrix): WeightMatrix {
  const data = new Float32Array(m.data.length);
  for (let k = 0; k < m.K; k++) {
    for (let n = 0; n < m.N; n++) {
      if (m.layout === 'KN') data[n * m.K + k] = m.data[k * m.N + n];
      else data[k * m.N + n] = m.data[n * m.K + k];
    }
  }
  return { data, K: m.K, N: m.N, layout: m.layout === 'KN' ? 'NK' : 'KN' };
}

test('2:4 by hand, [K,N] layout, with ties toward the lower k', () => {
  // K = 8, N = 2; column 0 = [1, 5, 3, 2 | 7, 7, 7, 0], column 1 = [4, 4, 4, 4 | 0, 1, 0, 1].
  const scores: WeightMatrix = {
    data: Float32Array.from([1, 4, 5, 4, 3, 4, 2, 4, 7, 0, 7, 1, 7, 0, 0, 1]),
    K: 8,
    N: 2,
    layout: 'KN',
  };
  const result = nmMask(scores, { n: 2, m: 4 });
  assert.ok(result.kind === 'nm');
  // column 0 keeps k = 1, 2 (5, 3) and k = 4, 5 (ties of 7: the lower k); column 1 keeps k = 0, 1 and k = 5, 7.
  assert.deepEqual([...result.mask], [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1]);
  assert.equal(result.retained, 5 + 3 + 7 + 7 + 4 + 4 + 1 + 1);
  assert.equal(result.total, 32 + 18);
});

test('the [N,K] layout gives the same mask, transposed', () => {
  const scores = randomMatrix(16, 5, 'KN', 3);
  scores.data.forEach((v, i) => (scores.data[i] = Math.round(Math.abs(v) * 2))); // many ties
  for (const pattern of [{ n: 2, m: 4 }, { n: 1, m: 8 }, { n: 3, m: 16 }]) {
    const kn = nmMask(scores, pattern);
    const nk = nmMask(transpose(scores), pattern);
    assert.ok(kn.kind === 'nm' && nk.kind === 'nm');
    const knAsNk = transpose({ ...scores, data: Float32Array.from(kn.mask) });
    assert.deepEqual([...nk.mask], [...knAsNk.data]);
    assert.equal(nk.retained, kn.retained);
  }
});

test('K not a multiple of M leaves the layer dense with the reason', () => {
  const result = nmMask(randomMatrix(6, 3, 'NK', 1), { n: 2, m: 4 });
  assert.deepEqual(result, { kind: 'dense', reason: 'K=6 is not a multiple of M=4' });
});

/** A straightforward reference: sort each group's (score, k) pairs, keep the first N. */
function referenceMask(s: WeightMatrix, p: NmPattern): Uint8Array {
  const mask = new Uint8Array(s.data.length);
  const at = (k: number, n: number) => (s.layout === 'KN' ? k * s.N + n : n * s.K + k);
  for (let n = 0; n < s.N; n++) {
    for (let k0 = 0; k0 < s.K; k0 += p.m) {
      const ks = Array.from({ length: p.m }, (_, i) => k0 + i);
      ks.sort((a, b) => s.data[at(b, n)] - s.data[at(a, n)] || a - b);
      for (const k of ks.slice(0, p.n)) mask[at(k, n)] = 1;
    }
  }
  return mask;
}

test('properties on seeded random weights: N:M in stored order, kept weights unchanged, exact zero fraction', () => {
  const random = seededRandom(7);
  for (let trial = 0; trial < 40; trial++) {
    const m = 2 + Math.floor(random() * 15);
    const n = 1 + Math.floor(random() * (m - 1));
    const K = m * (1 + Math.floor(random() * 6));
    const N = 1 + Math.floor(random() * 9);
    const layout = random() < 0.5 ? 'KN' : 'NK';
    const weight = randomMatrix(K, N, layout, trial);
    if (trial % 3 === 0) weight.data.forEach((v, i) => (weight.data[i] = Math.round(v))); // ties
    const scores = { ...weight, data: weight.data.map(Math.abs) };
    const result = nmMask(scores, { n, m });
    assert.ok(result.kind === 'nm');
    assert.deepEqual(result.mask, referenceMask(scores, { n, m }), `trial ${trial}`);
    assert.ok(Math.abs(result.retained - keptScore(scores.data, result.mask)) <= 1e-9 * result.total);

    const pruned = weight.data.slice();
    const zeros = applyMask(pruned, result.mask);
    assert.equal(zeros, (K * N * (m - n)) / m);
    for (let i = 0; i < pruned.length; i++) {
      assert.ok(result.mask[i] ? Object.is(pruned[i], weight.data[i]) : pruned[i] === 0);
    }
    // In stored order along K, every group of M holds exactly N kept weights.
    for (let col = 0; col < N; col++) {
      for (let k0 = 0; k0 < K; k0 += m) {
        let kept = 0;
        for (let k = k0; k < k0 + m; k++) kept += result.mask[layout === 'KN' ? k * N + col : col * K + k];
        assert.equal(kept, n);
      }
    }
  }
});

test('NaN scores are pruned before any number', () => {
  const scores: WeightMatrix = { data: Float32Array.from([NaN, 0, NaN, 1]), K: 4, N: 1, layout: 'KN' };
  const result = nmMask(scores, { n: 2, m: 4 });
  assert.ok(result.kind === 'nm');
  assert.deepEqual([...result.mask], [0, 1, 0, 1]);
});

test('applyMask refuses a mask of the wrong size', () => {
  assert.throws(() => applyMask(new Float32Array(4), new Uint8Array(3)), /mask of 3 entries for 4 weights/);
});
