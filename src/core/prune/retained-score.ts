import { gatherChannelRows, siblingWidth } from './channel-rows';
import { sumOfLargest } from './group-select';
import type { NmPattern } from './pattern';
import { denseReason } from './pattern';
import { checkPermutation, identityPermutation } from './permutation';
import type { WeightMatrix } from './weight-matrix';

/** R(π) and the total score; ratio = retained / total (1 when the total is 0). */
export interface RetainedScore {
  retained: number;
  total: number;
  ratio: number;
}

/**
 * R(π) = Σ_n Σ_groups (sum of the N largest scores in the group) over the siblings' output units,
 * with the groups cut from the permuted channel order π (identity when omitted).
 */
export function retainedScore(siblings: readonly WeightMatrix[], pattern: NmPattern, perm?: Int32Array): RetainedScore {
  const width = siblingWidth(siblings);
  const K = siblings[0].K;
  const reason = denseReason(K, pattern);
  if (reason) throw new Error(`retained score: ${reason}`);
  const order = perm ?? identityPermutation(K);
  checkPermutation(order, K);
  const { n: keep, m } = pattern;
  const rows = new Float32Array(m * width);
  const values = new Float64Array(m);
  let retained = 0;
  let total = 0;
  for (let k0 = 0; k0 < K; k0 += m) {
    gatherChannelRows(siblings, order.subarray(k0, k0 + m), width, rows);
    for (let j = 0; j < width; j++) {
      for (let i = 0; i < m; i++) {
        values[i] = rows[i * width + j];
        total += values[i];
      }
      retained += sumOfLargest(values, m, keep);
    }
  }
  return { retained, total, ratio: total > 0 ? retained / total : 1 };
}
