import { throwIfAborted, UserError } from '../errors';
import { globalShuffle } from './global-shuffle';
import type { LocalShuffleOptions } from './local-shuffle';
import { localShuffle } from './local-shuffle';
import type { NmPattern } from './pattern';
import { denseReason } from './pattern';
import { identityPermutation } from './permutation';
import { retainedScore } from './retained-score';
import type { WeightMatrix } from './weight-matrix';

/** Which shuffle stages run: none, the global naive shuffle, the local block shuffle, or global then local. */
export type ShuffleMode = 'none' | 'global' | 'local' | 'both';
export const SHUFFLE_MODES: readonly ShuffleMode[] = ['none', 'global', 'local', 'both'];

/** One stage: the retained score R before and after it, and whether its permutation was kept. */
export interface ShuffleStage {
  name: 'global' | 'local';
  before: number;
  after: number;
  applied: boolean;
  /** Swaps made by the local stage. */
  swaps?: number;
  /** Wall time of the stage in milliseconds. */
  ms: number;
}

export interface ShuffleResult {
  /** Position k' of the permuted layers holds original channel perm[k']. */
  perm: Int32Array;
  stages: ShuffleStage[];
  /** Total score of the siblings (R / total is the retained-score ratio). */
  total: number;
  /** Set when K is not a multiple of M: no shuffle, the layers stay dense. */
  denseReason?: string;
}

export interface ShuffleOptions extends LocalShuffleOptions {
  mode: ShuffleMode;
}

export function parseShuffleMode(text: string): ShuffleMode {
  const mode = SHUFFLE_MODES.find((m) => m === text);
  if (!mode) throw new UserError(`invalid shuffle "${text}"`, `use one of ${SHUFFLE_MODES.join('|')}`);
  return mode;
}

/**
 * Chooses one permutation of the siblings' shared K input channels (their scores taken together),
 * running the stages `options.mode` asks for; a stage is kept only if it raises R.
 */
export function shuffleChannels(siblings: readonly WeightMatrix[], pattern: NmPattern, options: ShuffleOptions): ShuffleResult {
  const K = siblings[0]?.K ?? 0;
  let perm = identityPermutation(K);
  const reason = denseReason(K, pattern);
  if (reason) return { perm, stages: [], total: 0, denseReason: reason };
  let current = retainedScore(siblings, pattern, perm);
  const stages: ShuffleStage[] = [];
  const runStage = (name: ShuffleStage['name'], propose: () => { perm: Int32Array; swaps?: number }): void => {
    throwIfAborted(options.signal);
    const started = performance.now();
    const proposal = propose();
    const after = retainedScore(siblings, pattern, proposal.perm);
    const applied = after.retained > current.retained;
    stages.push({ name, before: current.retained, after: after.retained, applied, swaps: proposal.swaps, ms: performance.now() - started });
    if (applied) {
      perm = proposal.perm;
      current = after;
    }
  };
  if (options.mode === 'global' || options.mode === 'both') runStage('global', () => ({ perm: globalShuffle(siblings, pattern) }));
  if (options.mode === 'local' || options.mode === 'both') runStage('local', () => localShuffle(siblings, pattern, perm, options));
  return { perm, stages, total: current.total };
}
