import { siblingWidth } from './channel-rows';
import type { NmPattern } from './pattern';
import type { WeightMatrix } from './weight-matrix';
import { strides } from './weight-matrix';

/** Channel importance s_k = Σ_n S[k, n], summed over all siblings. */
export function channelImportance(siblings: readonly WeightMatrix[]): Float64Array {
  siblingWidth(siblings);
  const importance = new Float64Array(siblings[0].K);
  for (const s of siblings) {
    const { kStride, nStride } = strides(s);
    for (let k = 0; k < s.K; k++) {
      let sum = 0;
      for (let n = 0, i = k * kStride; n < s.N; n++, i += nStride) sum += s.data[i];
      importance[k] += sum;
    }
  }
  return importance;
}

/**
 * Sorts channels by importance (descending, ties toward the lower k) and deals them into the K/M
 * groups in zig-zag order: pass 0 fills groups 0..G−1, pass 1 groups G−1..0, … Group g takes
 * positions g·M … g·M+M−1 of the result, in the order dealt.
 */
export function zigzagPermutation(importance: Float64Array, m: number): Int32Array {
  const K = importance.length;
  const groups = K / m;
  const ranked = Array.from({ length: K }, (_, k) => k).sort((a, b) => importance[b] - importance[a] || a - b);
  const perm = new Int32Array(K);
  ranked.forEach((channel, rank) => {
    const pass = Math.floor(rank / groups);
    const slot = rank % groups;
    const group = pass % 2 === 0 ? slot : groups - 1 - slot;
    perm[group * m + pass] = channel;
  });
  return perm;
}

/** The global naive shuffle (ALGORITHMS.md §2) of the siblings' shared input channels. */
export function globalShuffle(siblings: readonly WeightMatrix[], pattern: NmPattern): Int32Array {
  return zigzagPermutation(channelImportance(siblings), pattern.m);
}
