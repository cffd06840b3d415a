import type { ShuffleStage } from '../prune/channel-shuffle';

/** Summary of a per-channel quantity over the K input channels of a layer. */
export interface ChannelSummary {
  mean: number;
  min: number;
  max: number;
}

/** One layer of the report (format: docs/prune-report.md). */
export interface LayerReport {
  name: string;
  block: string | null;
  weight: string;
  op: string;
  layout: 'KN' | 'NK';
  K: number;
  N: number;
  status: 'pruned' | 'dense';
  /** Why the layer stayed dense (K not a multiple of M). */
  denseReason?: string;
  zeros: number;
  sparsity: number;
  /** Retained score / total score of the layer, after the shuffle (1 for a dense layer). */
  retainedRatio: number;
  /** Index into `groups`: the sibling group the layer shares a permutation with. */
  group: number;
  /** Entropy (nats) and RMS of the input channels, when calibration ran. */
  entropy?: ChannelSummary;
  rms?: ChannelSummary;
  ms: number;
}

/** A sibling group: layers reading one activation, sharing one channel permutation. */
export interface GroupReport {
  input: string;
  layers: string[];
  /** Shuffle stages with R before/after; a stage that does not raise R is not applied. */
  stages: ShuffleStage[];
  /**
   * How the permutation was written; null when no permutation was applied. `order[j]` is the original
   * input channel now stored at position j along K (what the mask view needs to undo the shuffle).
   */
  permutation: null | { apply: 'gather' | 'fold'; foldedInto?: string[]; fallbackReason?: string; order: number[] };
  /** Retained score ratio R/total of the group before and after the shuffle. */
  retainedBefore?: number;
  retainedAfter?: number;
}

export interface PruneTotals {
  layers: number;
  pruned: number;
  dense: number;
  weights: number;
  zeros: number;
  sparsity: number;
  /** Σ retained / Σ total score over the pruned layers. */
  retainedRatio: number;
}

export function summarize(values: Float64Array): ChannelSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { mean: values.length ? sum / values.length : 0, min, max };
}
