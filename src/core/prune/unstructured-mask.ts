import { UserError } from '../errors';
import { keptScore } from './apply-mask';
import type { WeightMatrix } from './weight-matrix';
import { checkMatrix, strides } from './weight-matrix';

/** An unstructured mask (1 = kept) in the scores' layout, with the kept and total score. */
export interface UnstructuredMask {
  kind: 'unstructured';
  mask: Uint8Array;
  retained: number;
  total: number;
}

/**
 * Per output unit, zeroes the ⌊K·s⌋ lowest scores (Wanda's per-output comparison group). Ties prune
 * the higher k first, so the lower k is kept, as in the N:M mask; NaN scores are pruned first.
 */
export function unstructuredMask(scores: WeightMatrix, sparsity: number): UnstructuredMask {
  checkMatrix(scores, 'unstructured mask');
  if (!(sparsity > 0 && sparsity < 1)) throw new UserError(`sparsity must be in (0, 1), got ${sparsity}`);
  const { data, K, N } = scores;
  if (K > 2 ** 21) throw new UserError(`unstructured mask supports K ≤ 2^21 input channels, got ${K}`);
  const { kStride, nStride } = strides(scores);
  const pruneCount = Math.floor(K * sparsity);
  const mask = new Uint8Array(data.length).fill(1);
  const keys = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) keys[k] = orderBits(data[k * kStride + n * nStride]) * K + (K - 1 - k);
    partitionSmallest(keys, pruneCount);
    for (let i = 0; i < pruneCount; i++) mask[(K - 1 - (keys[i] % K)) * kStride + n * nStride] = 0;
  }
  let total = 0;
  for (const v of data) total += v;
  return { kind: 'unstructured', mask, retained: keptScore(data, mask), total };
}

/**
 * Reorders `keys` (distinct values) so that its first `count` entries are its `count` smallest
 * (quickselect, median-of-three pivot: O(K) on average; a full sort per output unit cost 4× more).
 */
function partitionSmallest(keys: Float64Array, count: number): void {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const pivot = medianOfThree(keys[lo], keys[mid], keys[hi]);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        const t = keys[i];
        keys[i++] = keys[j];
        keys[j--] = t;
      }
    }
    if (count - 1 <= j) hi = j;
    else if (count - 1 >= i) lo = i;
    else return;
  }
}

function medianOfThree(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** An unsigned 32-bit integer with the same order as the float32 value (NaN lowest). */
function orderBits(value: number): number {
  f32[0] = value === value ? value : -Infinity;
  const bits = u32[0];
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}
