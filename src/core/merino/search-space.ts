/** The architectures a search space allows: valid (heads, width) pairs, extremes, membership. */
import type { SearchSpace } from '../config/merino-config';
import type { Arch, Block } from './architecture';

/**
 * Widths allowed for `heads` heads, ascending: multiples of width.multiple inside the width range
 * whose head dimension width/heads lies in the headDim range and is a multiple of headDim.multiple.
 * At most headDim.max / headDim.multiple candidates are tried (≤ 1024).
 */
export function validWidths(space: SearchSpace, heads: number): number[] {
  const { width, headDim } = space;
  const out: number[] = [];
  const first = Math.ceil(headDim.min / headDim.multiple) * headDim.multiple;
  for (let d = first; d <= headDim.max; d += headDim.multiple) {
    const w = d * heads;
    if (w > width.max) break;
    if (w >= width.min && w % width.multiple === 0) out.push(w);
  }
  return out;
}

const optionsCache = new WeakMap<SearchSpace, Map<number, number[]>>();

/** Heads of the search space that have at least one valid width, with those widths (cached per space object; do not mutate). */
export function headOptions(space: SearchSpace): ReadonlyMap<number, number[]> {
  const cached = optionsCache.get(space);
  if (cached) return cached;
  const m = new Map<number, number[]>();
  for (const h of space.heads) {
    const ws = validWidths(space, h);
    if (ws.length) m.set(h, ws);
  }
  optionsCache.set(space, m);
  return m;
}

export const ffnDimFor = (width: number, ratio: number): number => Math.max(1, Math.round(width * ratio));

function extremeBlock(space: SearchSpace, options: ReadonlyMap<number, number[]>, pick: 'min' | 'max'): Block {
  let best: { w: number; h: number } | undefined;
  for (const [h, ws] of options) {
    const w = pick === 'min' ? ws[0] : ws[ws.length - 1];
    if (!best || (pick === 'min' ? w < best.w : w > best.w)) best = { w, h };
  }
  const ratio = pick === 'min' ? space.ffnRatios[0] : space.ffnRatios[space.ffnRatios.length - 1];
  const { w, h } = best!;
  return { layers: space.layersPerBlock[pick], width: w, heads: h, ffnDim: ffnDimFor(w, ratio), shared: pick === 'min' && space.sharing };
}

/**
 * The smallest and the largest architecture of the space (every cost grows with depth, width,
 * FFN ratio and block count, so these bound every candidate's params, FLOPs and latency);
 * undefined when the space holds no (heads, width) pair.
 */
export function spaceExtremes(space: SearchSpace): { smallest: Arch; largest: Arch } | undefined {
  const options = headOptions(space);
  if (options.size === 0 || space.blocks.min > space.blocks.max || space.layersPerBlock.min > space.layersPerBlock.max) return undefined;
  const small = extremeBlock(space, options, 'min');
  const large = extremeBlock(space, options, 'max');
  return {
    smallest: { blocks: Array.from({ length: space.blocks.min }, () => ({ ...small })) },
    largest: { blocks: Array.from({ length: space.blocks.max }, () => ({ ...large })) },
  };
}

/** Why `arch` lies outside `space`, or undefined when it is inside. */
export function outsideSpace(arch: Arch, space: SearchSpace): string | undefined {
  const n = arch.blocks.length;
  if (n < space.blocks.min || n > space.blocks.max) return `${n} blocks, outside [${space.blocks.min}, ${space.blocks.max}]`;
  for (const [i, b] of arch.blocks.entries()) {
    if (b.layers < space.layersPerBlock.min || b.layers > space.layersPerBlock.max) return `block ${i} has ${b.layers} layers, outside [${space.layersPerBlock.min}, ${space.layersPerBlock.max}]`;
    if (!space.heads.includes(b.heads)) return `block ${i} has ${b.heads} heads, not one of [${space.heads.join(', ')}]`;
    if (!headOptions(space).get(b.heads)?.includes(b.width)) return `block ${i} width ${b.width} is not a valid width for ${b.heads} heads`;
    if (!space.ffnRatios.some((r) => ffnDimFor(b.width, r) === b.ffnDim)) return `block ${i} ffn ${b.ffnDim} is not width × one of [${space.ffnRatios.join(', ')}]`;
    if (b.shared && !space.sharing) return `block ${i} shares parameters but searchSpace.sharing is false`;
  }
  return undefined;
}
