/**
 * Expressiveness and effectiveness of an architecture (ALGORITHMS.md §4).
 * The paper's subspace-entropy table is not public; the default model below is the documented
 * stand-in, and any other model (e.g. a measured lookup table) plugs in through `EntropyModel`.
 */
import { type Arch, totalLayers } from './architecture';

export interface EntropyModel {
  /** Recorded in results so a reader knows which model produced the figures. */
  readonly name: string;
  entropy(arch: Arch): number;
}

export interface EntropyWeights {
  /** w_attn: weight of the attention sub-layer's ln E_i. */
  attn: number;
  /** w_ffn: weight of the MLP sub-layer's ln(R_i · E_i). */
  ffn: number;
}

export const DEFAULT_ENTROPY_WEIGHTS: EntropyWeights = { attn: 1, ffn: 1 };
/** MeRino's effectiveness limit β on depth / width. */
export const DEFAULT_BETA = 1 / 16;

/** H(arch) = Σ_i L_i · (w_attn · ln E_i + w_ffn · ln(R_i · E_i)), in nats. */
export function stackedChannelEntropy(weights: EntropyWeights = DEFAULT_ENTROPY_WEIGHTS): EntropyModel {
  return {
    name: `stacked-channels(w_attn=${weights.attn}, w_ffn=${weights.ffn})`,
    entropy: (arch) => arch.blocks.reduce((h, b) => h + b.layers * (weights.attn * Math.log(b.width) + weights.ffn * Math.log(b.ffnDim)), 0),
  };
}

/** ρ = (Σ_i L_i) / min_i E_i; MeRino rejects candidates with ρ > β. */
export function effectiveness(arch: Arch): number {
  return totalLayers(arch) / Math.min(...arch.blocks.map((b) => b.width));
}
