import { countZeros } from '../onnx/nm-compliance';
import { applyMask } from '../prune/apply-mask';
import { shuffleChannels, type ShuffleResult, type ShuffleStage } from '../prune/channel-shuffle';
import { PatternPruner } from '../prune/nm-kernel';
import { isIdentity, permuteChannels } from '../prune/permutation';
import { pruningScores } from '../prune/scores';
import { unstructuredMask } from '../prune/unstructured-mask';
import { strides, type WeightMatrix } from '../prune/weight-matrix';
import { channelEntropy, channelRms, type ChannelStats } from '../stats/channel-stats';
import { runsShuffle, type MethodOptions } from './prune-options';
import { summarize, type ChannelSummary } from './prune-report';

/**
 * One sibling group's work, with no model or graph in it, so that a worker thread can run it
 * (group-workers.ts): the siblings' weights, the statistics of their shared input, the method.
 */
export interface GroupJob {
  layers: (WeightMatrix & { name: string })[];
  stats?: ChannelStats;
  method: MethodOptions;
  /** Also return each layer's kept positions in the original channel order. */
  keepMasks: boolean;
}

export type GroupLayerResult =
  | { status: 'dense'; denseReason: string; zeros: number }
  | {
      status: 'pruned';
      /** The pruned weight, channels permuted when `perm` is set. */
      weight: Float32Array;
      zeros: number;
      retained: number;
      total: number;
      keptMask?: Uint8Array;
    };

export interface GroupResult {
  /** The channel permutation applied to every sibling (absent: identity). */
  perm?: Int32Array;
  stages: ShuffleStage[];
  /** Retained score ratio of the group before and after the shuffle. */
  retainedBefore?: number;
  retainedAfter?: number;
  layers: GroupLayerResult[];
  summaries?: { rms: ChannelSummary; entropy?: ChannelSummary };
  ms: { total: number; shuffle: number };
}

/**
 * Scores (ALGORITHMS.md §1), the group's shared channel permutation (§2) and the masks on the
 * permuted scores. The weights in `job` are pruned in place (or replaced by permuted copies).
 * `pruner` is the caller's N:M pruner for `job.method.pattern` (reused across groups).
 */
export function pruneGroup(job: GroupJob, pruner: PatternPruner | undefined, signal?: AbortSignal): GroupResult {
  const started = performance.now();
  const { method, stats } = job;
  const scoresOf = (i: number, into?: Float32Array): WeightMatrix => {
    const w = job.layers[i]!;
    return { ...w, data: pruningScores(method.method, w, stats, { alpha: method.alpha, name: w.name, into }) };
  };
  // The shuffle needs every sibling's scores at once; without it each layer's scores go straight into the pruner's memory.
  const scores = runsShuffle(method) ? job.layers.map((_, i) => scoresOf(i)) : undefined;
  const shuffle = scores ? shuffleChannels(scores, method.pattern!, { mode: method.shuffle, block: method.block, signal }) : undefined;
  const perm = shuffle && !isIdentity(shuffle.perm) ? shuffle.perm : undefined;

  const layers = job.layers.map((w, i): GroupLayerResult => {
    const weight = perm ? permuteChannels(w, perm) : w;
    const score = !scores ? scoresOf(i, pruner?.scoresFor(weight)) : perm ? permuteChannels(scores[i]!, perm) : scores[i]!;
    const mask = method.sparsity !== undefined ? unstructuredMask(score, method.sparsity) : pruner!.run(weight, score);
    if (mask.kind === 'dense') return { status: 'dense', denseReason: mask.reason, zeros: countZeros(weight.data) };
    // The N:M pruner zeroes the weights itself; the unstructured mask is applied here.
    const zeros = mask.kind === 'nm' ? mask.zeros : (applyMask(weight.data, mask.mask), countZeros(weight.data));
    const keptMask = job.keepMasks ? (perm ? unpermuteMask(mask.mask, weight, perm) : mask.mask.slice()) : undefined;
    return { status: 'pruned', weight: weight.data, zeros, retained: mask.retained, total: mask.total, keptMask };
  });

  const summaries = stats && { rms: summarize(channelRms(stats)), ...(stats.histogram && { entropy: summarize(channelEntropy(stats)) }) };
  const shuffleMs = shuffle?.stages.reduce((s, st) => s + st.ms, 0) ?? 0;
  return { perm, stages: shuffle?.stages ?? [], ...retainedRatios(shuffle), layers, summaries, ms: { total: performance.now() - started, shuffle: shuffleMs } };
}

/** The mask of a permuted layer mapped back to the original channel order: M[π k', n] = M'[k', n]. */
function unpermuteMask(mask: Uint8Array, shape: WeightMatrix, perm: Int32Array): Uint8Array {
  const { kStride, nStride } = strides(shape);
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < shape.K; k++) for (let n = 0; n < shape.N; n++) out[perm[k]! * kStride + n * nStride] = mask[k * kStride + n * nStride]!;
  return out;
}

function retainedRatios(shuffle: ShuffleResult | undefined): Pick<GroupResult, 'retainedBefore' | 'retainedAfter'> {
  if (!shuffle || shuffle.denseReason || shuffle.stages.length === 0 || shuffle.total <= 0) return {};
  const first = shuffle.stages[0]!.before;
  const best = Math.max(first, ...shuffle.stages.filter((s) => s.applied).map((s) => s.after));
  return { retainedBefore: first / shuffle.total, retainedAfter: best / shuffle.total };
}
