import type { NmPattern } from './pattern';
import { denseReason } from './pattern';
import { keepLargest } from './group-select';
import type { WeightMatrix } from './weight-matrix';
import { checkMatrix, strides } from './weight-matrix';

/** An N:M mask (1 = kept) in the scores' layout, with the kept and total score. */
export interface NmMask {
  kind: 'nm';
  mask: Uint8Array;
  retained: number;
  total: number;
}

/** The layer stays dense, and why. */
export interface DenseLayer {
  kind: 'dense';
  reason: string;
}

/**
 * For every output unit and every group k0 = 0, M, 2M… of the stored K axis, keeps the N largest
 * scores (ties toward the lower k; a NaN score ranks below every number). A K that is not a multiple
 * of M gives a dense result.
 */
export function nmMask(scores: WeightMatrix, pattern: NmPattern): NmMask | DenseLayer {
  checkMatrix(scores, 'N:M mask');
  const reason = denseReason(scores.K, pattern);
  if (reason) return { kind: 'dense', reason };
  const { n: keepCount, m } = pattern;
  const { kStride, nStride } = strides(scores);
  const { data, K, N } = scores;
  const mask = new Uint8Array(data.length);
  const values = new Float64Array(m);
  const sorted = new Float64Array(m);
  const keep = new Uint8Array(m);
  let retained = 0;
  let total = 0;
  for (let k0 = 0; k0 < K; k0 += m) {
    for (let n = 0; n < N; n++) {
      const base = k0 * kStride + n * nStride;
      for (let i = 0; i < m; i++) {
        const v = data[base + i * kStride];
        values[i] = v === v ? v : -Infinity;
        total += v;
      }
      retained += keepLargest(values, sorted, m, keepCount, keep);
      for (let i = 0; i < m; i++) mask[base + i * kStride] = keep[i];
    }
  }
  return { kind: 'nm', mask, retained, total };
}
