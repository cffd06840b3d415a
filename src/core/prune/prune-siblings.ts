import type { JobOptions } from '../progress';
import type { ChannelStats } from '../stats/channel-stats';
import { applyMask } from './apply-mask';
import type { ShuffleMode, ShuffleStage } from './channel-shuffle';
import { shuffleChannels } from './channel-shuffle';
import { nmMask } from './nm-mask';
import type { NmPattern } from './pattern';
import { isIdentity, permuteChannels } from './permutation';
import type { ScoreMethod } from './scores';
import { pruningScores } from './scores';
import { unstructuredMask } from './unstructured-mask';
import type { WeightMatrix } from './weight-matrix';
import { withData } from './weight-matrix';

export interface SiblingLayer {
  name: string;
  weight: WeightMatrix;
}

export interface PruneSiblingsOptions extends JobOptions {
  method: ScoreMethod;
  /** N:M pattern; or `sparsity` for the unstructured baseline (no shuffle then). */
  pattern?: NmPattern;
  sparsity?: number;
  shuffle: ShuffleMode;
  alpha: number;
  block?: number;
  maxSwapsPerBlock?: number;
}

export interface PrunedLayer {
  name: string;
  /** The pruned weight, in permuted channel order when `perm` is set (may reuse the input buffer). */
  weight: WeightMatrix;
  /** 1 = kept, same order and layout as `weight`; absent when the layer stays dense. */
  mask?: Uint8Array;
  zeros: number;
  retained: number;
  total: number;
  denseReason?: string;
}

export interface PrunedSiblings {
  /** Channel permutation shared by the siblings (position k' holds original channel perm[k']); absent if none. */
  perm?: Int32Array;
  stages: ShuffleStage[];
  layers: PrunedLayer[];
}

/**
 * Prunes layers that read one activation (one layer, or q/k/v, gate/up): scores each, searches one
 * shared channel permutation on their scores together (N:M only), masks each in the permuted order
 * and zeroes the pruned weights. Kept weights keep their values; unpermuted weights are pruned in place.
 */
export function pruneSiblings(layers: readonly SiblingLayer[], stats: ChannelStats | undefined, options: PruneSiblingsOptions): PrunedSiblings {
  const scores = layers.map(({ name, weight }) => withData(weight, pruningScores(options.method, weight, stats, { alpha: options.alpha, name })));
  if (!options.pattern) {
    const sparsity = options.sparsity;
    if (sparsity === undefined) throw new Error('pruneSiblings: give a pattern or a sparsity');
    return { stages: [], layers: layers.map((layer, i) => maskLayer(layer.name, layer.weight, unstructuredMask(scores[i], sparsity))) };
  }
  const pattern = options.pattern;
  const shuffle = shuffleChannels(scores, pattern, { ...options, mode: options.shuffle });
  const perm = isIdentity(shuffle.perm) ? undefined : shuffle.perm;
  const pruned = layers.map(({ name, weight }, i) => {
    const [w, s] = perm ? [permuteChannels(weight, perm), permuteChannels(scores[i], perm)] : [weight, scores[i]];
    const mask = nmMask(s, pattern);
    if (mask.kind === 'dense') {
      const total = s.data.reduce((a, b) => a + b, 0);
      return { name, weight: w, zeros: 0, retained: total, total, denseReason: mask.reason };
    }
    return maskLayer(name, w, mask);
  });
  return { perm, stages: shuffle.stages, layers: pruned };
}

function maskLayer(name: string, weight: WeightMatrix, m: { mask: Uint8Array; retained: number; total: number }): PrunedLayer {
  const zeros = applyMask(weight.data, m.mask);
  return { name, weight, mask: m.mask, zeros, retained: m.retained, total: m.total };
}
