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
      // [N, K]: one stored row per output unit, so read unit by unit (the channels' values of one
      // unit share cache lines) and write down the columns of `out`.
      for (let n = 0; n < m.N; n++) {
        const base = n * m.K;
        for (let r = 0, i = column + n; r < channels.length; r++, i += stride) out[i] = m.data[base + channels[r]];
      }
    }
    column += m.N;
  }
}

