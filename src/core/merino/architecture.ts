/** The shape of a decoder-only language model, as the MeRino cost model and search see it (ALGORITHMS.md §4). */

export type NormKind = 'layernorm' | 'rmsnorm';
export type MlpKind = 'gelu' | 'relu' | 'swiglu';
/** learned: a [context + positionOffset, E] table; rope and none add no parameters. */
export type PositionKind = 'learned' | 'rope' | 'none';

/** What every architecture of one design shares. */
export interface ModelSpec {
  vocabSize: number;
  /** Context length S (tokens). */
  context: number;
  /** lm_head reuses the token embedding (counted once). */
  tiedEmbeddings: boolean;
  norm: NormKind;
  mlp: MlpKind;
  /** Biases on every linear layer (never on lm_head). */
  biases: boolean;
  positions: PositionKind;
  /** Extra rows of the learned position table (OPT reserves 2). */
  positionOffset: number;
  /** A norm after the last layer, before lm_head. */
  finalNorm: boolean;
}

/** L_i identical transformer layers of width E_i. */
export interface Block {
  layers: number;
  width: number;
  heads: number;
  /** Hidden size of the MLP (R_i · E_i). */
  ffnDim: number;
  /** The block's layers share one set of parameters (counted once, FLOPs counted L_i times). */
  shared: boolean;
}

/** Blocks in order; a linear projection joins consecutive blocks of different width. */
export interface Arch {
  blocks: Block[];
}

export const headDim = (b: Block): number => b.width / b.heads;
export const ffnRatio = (b: Block): number => b.ffnDim / b.width;
export const totalLayers = (arch: Arch): number => arch.blocks.reduce((s, b) => s + b.layers, 0);
export const embeddingWidth = (arch: Arch): number => arch.blocks[0].width;
export const lastWidth = (arch: Arch): number => arch.blocks[arch.blocks.length - 1].width;

/** A stable key for deduplication: two archs with the same key are the same network. */
export function archKey(arch: Arch): string {
  return arch.blocks.map((b) => `${b.layers}x${b.width}h${b.heads}f${b.ffnDim}${b.shared ? 's' : ''}`).join('|');
}

/**
 * The key of what the figures depend on: heads change neither params, FLOPs nor entropy, and
 * consecutive unshared blocks of equal width and FFN size form one stack (no projection between
 * them), so "8×384 → 7×384" and "7×384 → 8×384" share the key "15x384f…". The search keeps one
 * architecture per key.
 */
export function shapeKey(arch: Arch): string {
  const parts: { layers: number; tag: string; merge: boolean }[] = [];
  for (const b of arch.blocks) {
    const tag = `${b.width}f${b.ffnDim}${b.shared ? 's' : ''}`;
    const last = parts[parts.length - 1];
    if (last && last.merge && !b.shared && last.tag === tag) last.layers += b.layers;
    else parts.push({ layers: b.layers, tag, merge: !b.shared });
  }
  return parts.map((p) => `${p.layers}x${p.tag}`).join('|');
}

/** A short human-readable description, e.g. "12×768 (h12, ffn 3072)". */
export function describeArch(arch: Arch): string {
  return arch.blocks.map((b) => `${b.layers}×${b.width} (h${b.heads}, ffn ${b.ffnDim}${b.shared ? ', shared' : ''})`).join(' → ');
}
