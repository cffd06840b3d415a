import { channelMajor, gatherChannelRows, siblingWidth } from './channel-rows';
import type { NmPattern } from './pattern';
import { denseReason } from './pattern';
import { checkPermutation, identityPermutation } from './permutation';
import { retainedKernel } from './retained-kernel';
import type { WeightMatrix } from './weight-matrix';

/** R(π) and the total score; ratio = retained / total (1 when the total is 0). */
export interface RetainedScore {
  retained: number;
  total: number;
  ratio: number;
}

/** Floats of channel rows gathered per kernel call (256 KB: they stay in cache between the gather and the sum). */
const TILE_FLOATS = 1 << 16;

export function retainedRatio(retained: number, total: number): RetainedScore {
  return { retained, total, ratio: total > 0 ? retained / total : 1 };
}

/**
 * R(π) = Σ_n Σ_groups (sum of the N largest scores in the group) over the siblings' output units,
 * with the groups cut from the permuted channel order π (identity when omitted). The channel rows
 * ([N, K] siblings are transposed first, see channelMajor) are gathered a tile at a time into WebAssembly memory and summed by a SIMD kernel (retained-kernel.ts;
 * float32 partial sums, relative error ~1e-7).
 */
export function retainedScore(siblings: readonly WeightMatrix[], pattern: NmPattern, perm?: Int32Array): RetainedScore {
  const width = siblingWidth(siblings);
  const K = siblings[0].K;
  const reason = denseReason(K, pattern);
  if (reason) throw new Error(`retained score: ${reason}`);
  const order = perm ?? identityPermutation(K);
  checkPermutation(order, K);
  const rowsOf = siblings.map(channelMajor);
  const m = pattern.m;
  const stride = Math.ceil(width / 4) * 4;
  const tile = Math.min(K, Math.max(1, Math.floor(TILE_FLOATS / (stride * m))) * m);
  const rowBytes = 4 * tile * stride;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((rowBytes + 4 * tile + 20) / 65536) });
  const sum = retainedKernel(pattern, memory);
  const rows = new Float32Array(memory.buffer, 0, tile * stride);
  const members = new Int32Array(memory.buffer, rowBytes, tile);
  members.set(identityPermutation(tile));
  const out = new Float64Array(memory.buffer, rowBytes + 4 * tile + (tile % 2 ? 4 : 0), 2);
  for (let k0 = 0; k0 < K; k0 += tile) {
    const channels = order.subarray(k0, Math.min(K, k0 + tile));
    gatherChannelRows(rowsOf, channels, stride, rows);
    sum(members.byteOffset, channels.length / m, 4 * stride, out.byteOffset);
  }
  return retainedRatio(out[0], out[1]);
}
