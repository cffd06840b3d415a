import { throwIfAborted, UserError } from '../errors';
import type { JobOptions } from '../progress';
import { channelMajor, gatherChannelRows, siblingWidth } from './channel-rows';
import { BlockSwapSearch } from './block-swap-search';
import type { NmPattern } from './pattern';
import { denseReason } from './pattern';
import { checkPermutation } from './permutation';
import type { WeightMatrix } from './weight-matrix';

export const DEFAULT_SHUFFLE_BLOCK = 64;
export const DEFAULT_MAX_SWAPS_PER_BLOCK = 256;
/** A swap must gain more than this fraction of the block's total score. */
export const SWAP_TOLERANCE = 1e-6;

export interface LocalShuffleOptions extends JobOptions {
  /** Channels per block, a multiple of M (default 64). */
  block?: number;
  /** Bound on the swaps applied inside one block (default 256). */
  maxSwapsPerBlock?: number;
}

/**
 * The local block shuffle (ALGORITHMS.md §2): cuts `start` into blocks of `block` channels and, inside
 * each block, greedily applies the swap of two channels of different groups with the largest gain in
 * R until no swap gains more than 1e-6 of the block's total score. Inside each group the channels are
 * listed in their order in `start`. Also returns R of `start` and of the result with the total score,
 * summed over the blocks as the search computed them (so a caller need not score either order again).
 */
export function localShuffle(
  siblings: readonly WeightMatrix[],
  pattern: NmPattern,
  start: Int32Array,
  options: LocalShuffleOptions = {},
): LocalShuffleResult {
  const width = siblingWidth(siblings);
  const K = siblings[0].K;
  checkPermutation(start, K);
  const block = Math.min(options.block ?? DEFAULT_SHUFFLE_BLOCK, K);
  const reason = denseReason(K, pattern);
  if (reason) throw new Error(`local shuffle: ${reason}`);
  if (!Number.isInteger(block) || block < pattern.m || block % pattern.m !== 0) {
    throw new UserError(`shuffle block ${options.block} must be a positive multiple of M=${pattern.m}`, `e.g. ${DEFAULT_SHUFFLE_BLOCK}`);
  }
  const maxSwaps = options.maxSwapsPerBlock ?? DEFAULT_MAX_SWAPS_PER_BLOCK;
  const perm = start.slice();
  const rowsOf = siblings.map(channelMajor);
  const search = new BlockSwapSearch(block, width, pattern);
  const blocks = Math.ceil(K / block);
  const result: LocalShuffleResult = { perm, swaps: 0, before: 0, after: 0, total: 0 };
  for (let b = 0; b < blocks; b++) {
    throwIfAborted(options.signal);
    const channels = perm.slice(b * block, Math.min(K, (b + 1) * block));
    gatherChannelRows(rowsOf, channels, search.stride, search.rows);
    const found = search.run(channels.length, maxSwaps, SWAP_TOLERANCE);
    found.order.forEach((row, i) => (perm[b * block + i] = channels[row]));
    result.swaps += found.swaps;
    result.before += found.before;
    result.after += found.after;
    result.total += found.total;
    options.onProgress?.({ stage: 'local shuffle', done: b + 1, total: blocks });
  }
  return result;
}

export interface LocalShuffleResult {
  perm: Int32Array;
  swaps: number;
  /** R of the start order and of `perm` (equal when no swap was made), and the total score. */
  before: number;
  after: number;
  total: number;
}

