/**
 * The search's moves (ALGORITHMS.md §4): change one gene of one block: width × scale snapped to a
 * valid width for its heads, depth ±1/±2, FFN ratio, heads, sharing; or add/remove a block.
 * Every move keeps the architecture inside the search space.
 */
import type { SearchSpace } from '../config/merino-config';
import { nearestValue } from '../config/nearest';
import type { Arch, Block } from './architecture';
import type { Rng } from './rng';
import { ffnDimFor, headOptions } from './search-space';

const WIDTH_SCALES = [0.5, 0.75, 0.875, 1.125, 1.25, 1.5, 2];
const DEPTH_STEPS = [-2, -1, 1, 2];

/** Precomputed choices of a search space. */
export class SpaceMoves {
  readonly options: ReadonlyMap<number, number[]>;
  readonly heads: number[];
  constructor(readonly space: SearchSpace) {
    this.options = headOptions(space);
    this.heads = [...this.options.keys()];
  }

  private ratioOf(b: Block): number {
    return nearestValue(b.ffnDim / b.width, this.space.ffnRatios);
  }

  private withWidth(b: Block, width: number): Block {
    return { ...b, width, ffnDim: ffnDimFor(width, this.ratioOf(b)) };
  }

  randomBlock(rng: Rng): Block {
    const heads = rng.pick(this.heads);
    const width = rng.pick(this.options.get(heads)!);
    const { layersPerBlock: l, sharing } = this.space;
    return { layers: rng.int(l.min, l.max), width, heads, ffnDim: ffnDimFor(width, rng.pick(this.space.ffnRatios)), shared: sharing && rng.next() < 0.5 };
  }

  randomArch(rng: Rng): Arch {
    const n = rng.int(this.space.blocks.min, this.space.blocks.max);
    return { blocks: Array.from({ length: n }, () => this.randomBlock(rng)) };
  }

  private mutateBlock(b: Block, rng: Rng): Block {
    const widths = this.options.get(b.heads)!;
    switch (rng.int(0, this.space.sharing ? 4 : 3)) {
      case 0: {
        const w = nearestValue(b.width * rng.pick(WIDTH_SCALES), widths);
        const i = widths.indexOf(w);
        const moved = w !== b.width ? w : widths[Math.min(widths.length - 1, Math.max(0, i + (rng.next() < 0.5 ? -1 : 1)))];
        return this.withWidth(b, moved);
      }
      case 1: {
        const { min, max } = this.space.layersPerBlock;
        return { ...b, layers: Math.min(max, Math.max(min, b.layers + rng.pick(DEPTH_STEPS))) };
      }
      case 2:
        return { ...b, ffnDim: ffnDimFor(b.width, rng.pick(this.space.ffnRatios)) };
      case 3: {
        const heads = rng.pick(this.heads);
        return this.withWidth({ ...b, heads }, nearestValue(b.width, this.options.get(heads)!));
      }
      default:
        return { ...b, shared: !b.shared };
    }
  }

  /** A neighbour of `arch`: one block's gene changed (most moves), or a block added or removed. */
  mutate(arch: Arch, rng: Rng): Arch {
    const blocks = arch.blocks.slice();
    const { min, max } = this.space.blocks;
    const r = rng.next();
    if (r < 0.1 && blocks.length < max) {
      const at = rng.int(0, blocks.length);
      blocks.splice(at, 0, { ...blocks[Math.min(at, blocks.length - 1)] });
    } else if (r < 0.2 && blocks.length > min) {
      blocks.splice(rng.int(0, blocks.length - 1), 1);
    } else {
      const i = rng.int(0, blocks.length - 1);
      blocks[i] = this.mutateBlock(blocks[i], rng);
    }
    return { blocks };
  }
}
