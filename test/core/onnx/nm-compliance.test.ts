import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nmCompliant, sparsity } from '../../../src/core/onnx/nm-compliance';

/** W[k, n] for K=8, N=2 in both layouts, from a function of (k, n). */
function matrix(K: number, N: number, f: (k: number, n: number) => number) {
  const kn = new Float32Array(K * N);
  const nk = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) kn[k * N + n] = nk[n * K + k] = f(k, n);
  return { kn, nk };
}

test('2:4 along K holds in both layouts; a group with three nonzeros breaks it', () => {
  // nonzero at k ≡ 0, 1 (mod 4): exactly 2 of 4 per group for every output unit
  const good = matrix(8, 2, (k, n) => (k % 4 < 2 ? k + n + 1 : 0));
  assert.ok(nmCompliant(good.kn, 'KN', 8, 2, 2, 4));
  assert.ok(nmCompliant(good.nk, 'NK', 8, 2, 2, 4));
  assert.ok(nmCompliant(good.kn, 'KN', 8, 2, 4, 8));
  // nonzero at k ≡ 0,1 (mod 4) for n=0 but three in the second group for n=1
  const bad = matrix(8, 2, (k, n) => (k % 4 < 2 || (n === 1 && k === 6) ? 1 : 0));
  assert.equal(nmCompliant(bad.kn, 'KN', 8, 2, 2, 4), false);
  assert.equal(nmCompliant(bad.nk, 'NK', 8, 2, 2, 4), false);
  assert.ok(nmCompliant(bad.kn, 'KN', 8, 2, 5, 8)); // 5 nonzeros in one group of 8 for n=1
});

test('the pattern is along K, not N: zeros along N only do not count', () => {
  // zero for odd n, dense along k: 50% sparse but every K group is full
  const m = matrix(8, 4, (_k, n) => (n % 2 ? 0 : 1));
  assert.equal(sparsity(m.kn), 0.5);
  assert.equal(nmCompliant(m.kn, 'KN', 8, 4, 2, 4), false);
});

test('K not a multiple of M never complies; sparsity counts exact zeros', () => {
  assert.equal(nmCompliant(new Float32Array(6 * 2), 'KN', 6, 2, 2, 4), false);
  assert.equal(sparsity(Float32Array.of(0, -0, 1e-30, 2)), 0.5);
  assert.equal(sparsity(new Float32Array(0)), 0);
});
