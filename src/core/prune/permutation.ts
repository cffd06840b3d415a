import { UserError } from '../errors';
import type { WeightMatrix } from './weight-matrix';
import { strides } from './weight-matrix';

// A channel permutation π of the K input channels: position k' of the permuted layer holds
// original channel π[k'], i.e. W'[k', n] = W[π[k'], n].

export function identityPermutation(K: number): Int32Array {
  return Int32Array.from({ length: K }, (_, k) => k);
}

export function isIdentity(perm: Int32Array): boolean {
  return perm.every((c, k) => c === k);
}

/** Throws unless `perm` holds every channel 0..K−1 exactly once. */
export function checkPermutation(perm: Int32Array, K: number): void {
  const seen = new Uint8Array(K);
  let ok = perm.length === K;
  for (let i = 0; ok && i < K; i++) {
    ok = perm[i] >= 0 && perm[i] < K && seen[perm[i]] === 0;
    if (ok) seen[perm[i]] = 1;
  }
  if (!ok) throw new UserError(`not a permutation of ${K} channels`);
}

/** inverse[π[k']] = k'. */
export function invertPermutation(perm: Int32Array): Int32Array {
  const inverse = new Int32Array(perm.length);
  perm.forEach((c, k) => (inverse[c] = k));
  return inverse;
}

/** W'[k', n] = W[π[k'], n] in the same layout (a new matrix). */
export function permuteChannels(m: WeightMatrix, perm: Int32Array): WeightMatrix {
  checkPermutation(perm, m.K);
  const { kStride, nStride } = strides(m);
  const data = new Float32Array(m.data.length);
  for (let k = 0; k < m.K; k++) {
    const from = perm[k] * kStride;
    const to = k * kStride;
    if (nStride === 1) data.set(m.data.subarray(from, from + m.N), to);
    else for (let n = 0; n < m.N; n++) data[to + n * nStride] = m.data[from + n * nStride];
  }
  return { ...m, data };
}
