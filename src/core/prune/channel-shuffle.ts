import { throwIfAborted, UserError } from '../errors';
import { channelMajor, siblingWidth } from './channel-rows';
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
 *
 * R is scored in full only where no stage knows it: the identity and the global proposal. The local
 * stage reports R of its start and of its result block by block as its search computes them, so its
 * gain is their difference (exactly 0 when it made no swap) added to the R it started from.
 */
export function shuffleChannels(scores: readonly WeightMatrix[], pattern: NmPattern, options: ShuffleOptions): ShuffleResult {
  const K = scores[0]?.K ?? 0;
  const identity = identityPermutation(K);
  const reason = denseReason(K, pattern);
  if (reason) return { perm: identity, stages: [], total: 0, denseReason: reason };
  // every stage reads channel rows: transpose [N, K] siblings once (checked first), not in each stage
  siblingWidth(scores);
  const siblings = scores.map(channelMajor);
  const runGlobal = options.mode === 'global' || options.mode === 'both';
  const runLocal = options.mode === 'local' || options.mode === 'both';
  let current: { perm: Int32Array; retained: number; total: number } | undefined;
  const stages: ShuffleStage[] = [];
  const record = (stage: Omit<ShuffleStage, 'applied'>, proposal: Int32Array): void => {
    const applied = stage.after > stage.before;
    stages.push({ ...stage, applied });
    if (applied && current) current = { ...current, perm: proposal, retained: stage.after };
  };
  if (runGlobal) {
    throwIfAborted(options.signal);
    const started = performance.now();
    current = { perm: identity, ...retainedScore(siblings, pattern) };
    const proposal = globalShuffle(siblings, pattern);
    const after = retainedScore(siblings, pattern, proposal).retained;
    record({ name: 'global', before: current.retained, after, ms: performance.now() - started }, proposal);
  }
  if (runLocal) {
    throwIfAborted(options.signal);
    const started = performance.now();
    const local = localShuffle(siblings, pattern, current?.perm ?? identity, options);
    current ??= { perm: identity, retained: local.before, total: local.total };
    const after = current.retained + (local.after - local.before);
    record({ name: 'local', before: current.retained, after, swaps: local.swaps, ms: performance.now() - started }, local.perm);
  }
  return { perm: current?.perm ?? identity, stages, total: current?.total ?? retainedScore(siblings, pattern).total };
}
