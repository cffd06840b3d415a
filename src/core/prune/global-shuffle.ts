import { siblingWidth } from './channel-rows';
import type { NmPattern } from './pattern';
import type { WeightMatrix } from './weight-matrix';

/**
 * Channel importance s_k = Σ_n S[k, n], summed over all siblings. Each channel's sum runs over n in
 * order (the same float64 result as the plain loop); [K, N] rows are summed four channels at a time so
 * the four chains of dependent adds overlap, [N, K] unit by unit so the reads stay sequential.
 */
export function channelImportance(siblings: readonly WeightMatrix[]): Float64Array {
  siblingWidth(siblings);
  const importance = new Float64Array(siblings[0].K);
  const sums = new Float64Array(siblings[0].K);
  for (const s of siblings) {
    if (s.layout === 'KN') rowSums(s.data, s.K, s.N, sums);
    else unitSums(s.data, s.K, s.N, sums);
    for (let k = 0; k < s.K; k++) importance[k] += sums[k];
  }
  return importance;
}

/** sums[k] = Σ_n data[k·N + n], in order of n. */
function rowSums(data: Float32Array, K: number, N: number, sums: Float64Array): void {
  let k = 0;
  for (; k + 4 <= K; k += 4) {
    let [s0, s1, s2, s3] = [0, 0, 0, 0];
    for (let n = 0, i = k * N; n < N; n++, i++) {
      s0 += data[i];
      s1 += data[i + N];
      s2 += data[i + 2 * N];
      s3 += data[i + 3 * N];
    }
    [sums[k], sums[k + 1], sums[k + 2], sums[k + 3]] = [s0, s1, s2, s3];
  }
  for (; k < K; k++) {
    let sum = 0;
    for (let n = 0, i = k * N; n < N; n++, i++) sum += data[i];
    sums[k] = sum;
  }
}

/** sums[k] = Σ_n data[n·K + k], in order of n. */
function unitSums(data: Float32Array, K: number, N: number, sums: Float64Array): void {
  sums.fill(0);
  for (let n = 0; n < N; n++) for (let k = 0, i = n * K; k < K; k++, i++) sums[k] += data[i];
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
