import type { WeightMatrix } from '../prune/weight-matrix';
import { strides } from '../prune/weight-matrix';

/**
 * Reorders the output units of a layer: U'[n'] = U[π[n']], i.e. W'[k, n'] = W[k, π[n']] in the
 * stored layout. Used to fold a channel permutation into the layer that produces the channels.
 */
export function permuteOutputs(m: WeightMatrix, perm: Int32Array): Float32Array {
  const { kStride, nStride } = strides(m);
  const data = new Float32Array(m.data.length);
  if (kStride === 1) {
    // [N, K]: each output unit is a contiguous row.
    for (let n = 0; n < m.N; n++) data.set(m.data.subarray(perm[n] * nStride, perm[n] * nStride + m.K), n * nStride);
    return data;
  }
  // [K, N]: gather along each row (row by row, so memory is read in order: ~3x less CPU than column by column on 768×3072).
  for (let k = 0; k < m.K; k++) {
    const row = k * kStride;
    for (let n = 0; n < m.N; n++) data[row + n] = m.data[row + perm[n]];
  }
  return data;
}

/** v'[i] = v[π[i]] along the last axis of a [..., K] tensor (a bias or per-channel constant). */
export function permuteLastAxis(v: Float32Array, perm: Int32Array): Float32Array {
  const K = perm.length;
  const out = new Float32Array(v.length);
  for (let base = 0; base < v.length; base += K) for (let i = 0; i < K; i++) out[base + i] = v[base + perm[i]];
  return out;
}
