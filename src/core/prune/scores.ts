import { UserError } from '../errors';
import type { ChannelStats } from '../stats/channel-stats';
import { channelNorm, channelRms } from '../stats/channel-stats';
import { checkChannelStats } from './channel-stats-input';
import { normalizedChannelEntropy, relativeToMean } from './channel-metrics';
import type { WeightMatrix } from './weight-matrix';
import { checkMatrix } from './weight-matrix';
import { ChannelScaler } from './channel-scale-kernel';

/** The pruning scores S[k, n] (ALGORITHMS.md §1). */
export type ScoreMethod = 'magnitude' | 'wanda' | 'esparse';
export const SCORE_METHODS: readonly ScoreMethod[] = ['magnitude', 'wanda', 'esparse'];

/** magnitude: S = |W|, in W's layout (written into `into` when given). */
export function magnitudeScores(w: WeightMatrix, into?: Float32Array): Float32Array {
  checkMatrix(w, 'magnitude scores');
  return scaleByChannel(w, new Float64Array(w.K).fill(1), into);
}

/** wanda: S = |W| · ‖X_k‖ with ‖X_k‖ = sqrt(Σ_t x_tk² / N_seq). */
export function wandaScores(w: WeightMatrix, stats: ChannelStats, name = 'layer', into?: Float32Array): Float32Array {
  checkMatrix(w, name);
  checkChannelStats(stats, w.K, name);
  return scaleByChannel(w, channelNorm(stats), into);
}

/**
 * esparse: S = |W| · (Ĥ_k + α · r̂_k). α = Infinity is the limit α → ∞ after dividing by α, i.e.
 * S = |W| · r̂_k, which ranks exactly like Wanda (r̂_k is ‖X_k‖ times a positive constant).
 */
export function esparseScores(w: WeightMatrix, stats: ChannelStats, alpha: number, name = 'layer', into?: Float32Array): Float32Array {
  checkMatrix(w, name);
  checkChannelStats(stats, w.K, name);
  return scaleByChannel(w, esparseChannelFactors(stats, alpha), into);
}

/** The per-channel factor of E-Sparse: Ĥ_k + α · r̂_k (r̂_k alone when α = Infinity). */
export function esparseChannelFactors(stats: ChannelStats, alpha: number): Float64Array {
  if (Number.isNaN(alpha) || alpha < 0) throw new UserError(`alpha must be ≥ 0 (or Infinity), got ${alpha}`);
  const rHat = relativeToMean(channelRms(stats));
  if (alpha === Infinity) return rHat;
  if (!stats.histogram) throw new UserError('esparse needs per-channel histograms', 'collect statistics with bins ≥ 2');
  const hHat = normalizedChannelEntropy(stats);
  return hHat.map((h, k) => h + alpha * rHat[k]);
}

/**
 * Scores of any method; `stats` is required by wanda and esparse. `into` (W's length) receives them
 * instead of a new array: the N:M pruner's own memory, which saves an allocation per layer.
 */
export function pruningScores(
  method: ScoreMethod,
  w: WeightMatrix,
  stats: ChannelStats | undefined,
  options: { alpha: number; name?: string; into?: Float32Array },
): Float32Array {
  const name = options.name ?? 'layer';
  if (method === 'magnitude') return magnitudeScores(w, options.into);
  if (!stats) throw new UserError(`${name}: ${method} needs calibration statistics`, 'give --calib FILE');
  return method === 'wanda' ? wandaScores(w, stats, name, options.into) : esparseScores(w, stats, options.alpha, name, options.into);
}

function output(w: WeightMatrix, into: Float32Array | undefined): Float32Array {
  if (into && into.length !== w.data.length) throw new Error(`scores: output of ${into.length} values for ${w.data.length} weights`);
  return into ?? new Float32Array(w.data.length);
}

let scaler: ChannelScaler | undefined;

/** S[k, n] = |W[k, n]| · factor[k], in W's layout (a SIMD kernel, bit-identical to the plain loop). */
function scaleByChannel(w: WeightMatrix, factor: Float64Array, into?: Float32Array): Float32Array {
  const scores = output(w, into);
  (scaler ??= new ChannelScaler()).scale(w, factor, scores);
  return scores;
}
