import { UserError } from '../errors';
import type { WeightMatrix } from './weight-matrix';
import { checkMatrix } from './weight-matrix';

// Sibling score matrices (layers reading the same input) seen as one matrix [K, ΣN]: the channel
// search reads whole channel rows, so it gathers the rows it works on into a small contiguous buffer
// instead of concatenating the siblings.

/** Checks that the siblings share K; returns the total number of output units ΣN. */
export function siblingWidth(siblings: readonly WeightMatrix[]): number {
  if (siblings.length === 0) throw new UserError('channel shuffle needs at least one score matrix');
  const K = siblings[0].K;
  let width = 0;
  for (const [i, m] of siblings.entries()) {
    checkMatrix(m, `sibling ${i}`);
    if (m.K !== K) throw new UserError(`siblings must share K: sibling ${i} has K=${m.K}, sibling 0 has K=${K}`);
    width += m.N;
  }
  return width;
}

/** out[r * stride + j] = row of channel channels[r]: all siblings' output units in order (stride ≥ ΣN). */
export function gatherChannelRows(
  siblings: readonly WeightMatrix[],
  channels: ArrayLike<number>,
  stride: number,
  out: Float32Array,
): void {
  let column = 0;
  for (const m of siblings) {
    if (m.layout === 'KN') {
      for (let r = 0; r < channels.length; r++) {
        const start = channels[r] * m.N;
        out.set(m.data.subarray(start, start + m.N), r * stride + column);
      }
    } else {
      // [N, K] (callers that read many rows transpose first, see channelMajor): unit by unit, so
      // the channels' values of one unit share cache lines.
      for (let n = 0; n < m.N; n++) {
        const base = n * m.K;
        for (let r = 0, i = column + n; r < channels.length; r++, i += stride) out[i] = m.data[base + channels[r]];
      }
    }
    column += m.N;
  }
}


const TRANSPOSE_TILE = 32;

/**
 * The matrix stored [K, N] (itself when it already is). The channel search reads whole channel rows,
 * which in [N, K] are strided gathers: with a shuffled order every value is a cache miss (~70 ns per
 * value on one 11008×768 layer against ~8 ns for this cache-blocked transpose), so channel-row readers
 * transpose once up front.
 */
export function channelMajor(m: WeightMatrix): WeightMatrix {
  if (m.layout === 'KN') return m;
  const { K, N, data } = m;
  const out = new Float32Array(K * N);
  for (let n0 = 0; n0 < N; n0 += TRANSPOSE_TILE) {
    const n1 = Math.min(N, n0 + TRANSPOSE_TILE);
    for (let k0 = 0; k0 < K; k0 += TRANSPOSE_TILE) {
      const k1 = Math.min(K, k0 + TRANSPOSE_TILE);
      for (let n = n0; n < n1; n++) {
        for (let k = k0, i = n * K + k0, o = k0 * N + n; k < k1; k++, i++, o += N) out[o] = data[i];
      }
    }
  }
  return { data: out, K, N, layout: 'KN' };
}
