import type { NmPattern } from '../prune/pattern';
import type { ScoreMethod } from '../prune/scores';
import type { ShuffleMode } from '../prune/channel-shuffle';
import { DEFAULT_SHUFFLE_BLOCK } from '../prune/local-shuffle';

/** How permuted layers are written: a Gather on the shared input, or folded into the producers where exact. */
export type ApplyMode = 'gather' | 'fold';
export const APPLY_MODES: readonly ApplyMode[] = ['gather', 'fold'];

/**
 * E-Sparse's α (weight of the norm term against the entropy term), from the ablation in
 * docs/ablation.md (scripts/ablation.ts): α = 1 and 3 tie on the sweep criterion, and over three
 * calibration seeds with shuffle both α = 1 is better on tiny-llama at 2:4 (−1.1 % perplexity) and
 * equal elsewhere. bins as ALGORITHMS.md (256, which the ablation confirms).
 */
export const DEFAULT_ALPHA = 1;
export const DEFAULT_BINS = 256;
export const DEFAULT_SAMPLES = 128;
export const DEFAULT_SEED = 0;
export const DEFAULT_APPLY: ApplyMode = 'fold';

/** One way of pruning: the method, the target sparsity and the shuffle. */
export interface MethodOptions {
  method: ScoreMethod;
  /** N:M pattern; exactly one of `pattern` and `sparsity` is set. */
  pattern?: NmPattern;
  /** Unstructured per-output sparsity in (0, 1). */
  sparsity?: number;
  shuffle: ShuffleMode;
  apply: ApplyMode;
  alpha: number;
  /** Local shuffle block size in channels. */
  block: number;
}

/** The shuffle a method uses unless told otherwise: `both` for esparse, `none` for the baselines. */
export function defaultShuffle(method: ScoreMethod): ShuffleMode {
  return method === 'esparse' ? 'both' : 'none';
}

export function methodDefaults(method: ScoreMethod, overrides: Partial<MethodOptions> = {}): MethodOptions {
  return { method, shuffle: defaultShuffle(method), apply: DEFAULT_APPLY, alpha: DEFAULT_ALPHA, block: DEFAULT_SHUFFLE_BLOCK, ...overrides };
}

/** Whether the channel shuffle runs: an N:M pattern (unstructured masks have no groups) and a stage asked for. */
export function runsShuffle(m: MethodOptions): boolean {
  return m.pattern !== undefined && m.sparsity === undefined && m.shuffle !== 'none';
}

/** A short label of a method variant for tables: "esparse", "esparse/none", "wanda/both". */
export function methodLabel(m: MethodOptions): string {
  return m.shuffle === defaultShuffle(m.method) ? m.method : `${m.method}/${m.shuffle}`;
}
