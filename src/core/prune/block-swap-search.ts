import type { NmPattern } from './pattern';
import { ShuffleKernels, SUM_ROWS } from './shuffle-kernels';

/**
 * Greedy swap search inside one block of channel rows (row r = one channel's scores over all output
 * units of the siblings). Groups are sets of M rows; each step applies the swap of two rows of
 * different groups with the largest gain in R, until no swap gains more than `tolerance`.
 *
 * Removing channel a from its group g and adding b changes g's retained score, per output unit, by
 *   max(S_b, v_{N+1}) − S_a   if a is among g's N largest (S_a > v_{N+1}),
 *   max(S_b, v_N) − v_N       otherwise,
 * with v_N, v_{N+1} the N-th and (N+1)-th largest of g. So with a per-row threshold t_a (v_{N+1} or
 * v_N) and constant c_a = −Σ_n (S_a or v_N): Δ(a→b) = c_a + Σ_n max(S_b[n], t_a[n]), and the gain of
 * swapping a and b is Δ(a→b) + Δ(b→a). A swap changes only two groups, so only their rows of the Δ
 * table are recomputed: O(2M · block · width) per swap. The thresholds and Σ max(S_b, t_a) come from
 * SIMD kernels whose sums carry a relative error ~1e-7, so a swap must gain more than
 * `relativeTolerance` (1e-6 by default, far above that error) of the block's total score: every
 * accepted swap truly raises R, and the search cannot cycle.
 */
export class BlockSwapSearch {
  /** Row r of the block, `stride` floats apart: fill rows [0, size) before `run`. */
  readonly rows: Float32Array;
  readonly stride: number;
  private readonly kernel: ShuffleKernels;
  private readonly constant: Float64Array;
  private readonly delta: Float64Array;
  /** gain[a, b] = Δ(a→b) + Δ(b→a), symmetric, −∞ inside a group: the swap scan reads rows in order. */
  private readonly gain: Float64Array;
  private readonly members: Int32Array;
  private readonly groupOf: Int32Array;
  /** The rows of the two groups a swap changed. */
  private readonly changed: Int32Array;
  /** The rows b a Δ row is computed for. */
  private readonly sweep: Int32Array;
  private size = 0;

  constructor(block: number, width: number, private readonly pattern: NmPattern) {
    this.stride = Math.ceil(width / 8) * 8;
    this.kernel = new ShuffleKernels(block, this.stride, pattern);
    this.rows = this.kernel.rows;
    this.constant = new Float64Array(block);
    this.delta = new Float64Array(block * block);
    this.gain = new Float64Array(block * block);
    this.members = new Int32Array(block);
    this.groupOf = new Int32Array(block);
    this.changed = new Int32Array(2 * pattern.m);
    this.sweep = new Int32Array(block);
  }

  /**
   * Searches rows [0, size); returns the rows in group order (ascending inside each group), the swaps
   * made, and R of the block before and after with its total score (retained-kernel.ts).
   */
  run(size: number, maxSwaps: number, relativeTolerance: number): BlockSearchResult {
    const m = this.pattern.m;
    this.size = size;
    for (let r = 0; r < size; r++) {
      this.members[r] = r;
      this.groupOf[r] = Math.floor(r / m);
    }
    const start = this.kernel.retained(this.members.subarray(0, size));
    for (let g = 0; g < size / m; g++) this.refreshGroup(g);
    this.fillDeltaRows(this.members.subarray(0, size));
    this.updateGains(this.members.subarray(0, size));
    let swaps = 0;
    while (swaps < maxSwaps) {
      const best = this.bestSwap(relativeTolerance * Math.abs(start.total));
      if (best < 0) break;
      this.swap(Math.floor(best / size), best % size);
      swaps++;
    }
    const order = this.order();
    const after = swaps > 0 ? this.kernel.retained(order).retained : start.retained;
    return { order, swaps, before: start.retained, after, total: start.total };
  }

  /** Recomputes the thresholds and constants of the rows in group g. */
  private refreshGroup(g: number): void {
    const m = this.pattern.m;
    const group = this.members.subarray(g * m, g * m + m);
    const constants = this.kernel.refresh(group);
    for (let i = 0; i < m; i++) this.constant[group[i]] = constants[i];
  }

  /**
   * delta[a, b] = Δ(a→b) for every listed row a and every b outside a's group (entries inside it are
   * never read). A tile of rows all in one group skips that group's rows b.
   */
  private fillDeltaRows(rows: Int32Array): void {
    const { size, delta, constant, groupOf, members } = this;
    const m = this.pattern.m;
    const step = SUM_ROWS; // a local: under tsx an imported binding is a getter call in the loop
    for (let first = 0; first < rows.length; first += step) {
      const tile = rows.subarray(first, first + step);
      const g = groupOf[tile[0]];
      const oneGroup = tile.every((a) => groupOf[a] === g);
      const sweep = this.sweep.subarray(0, oneGroup ? size - m : size);
      if (oneGroup) {
        sweep.set(members.subarray(0, g * m));
        sweep.set(members.subarray((g + 1) * m, size), g * m);
      } else sweep.set(members.subarray(0, size));
      const sums = this.kernel.sums(tile, sweep);
      for (let i = 0; i < tile.length; i++) {
        const row = tile[i] * size;
        const c = constant[tile[i]];
        for (let p = 0, j = i; p < sweep.length; p++, j += step) delta[row + sweep[p]] = c + sums[j];
      }
    }
  }

  /** Recomputes gain[a, ·] and gain[·, a] for the listed rows a (their Δ rows must be current). */
  private updateGains(rows: Int32Array): void {
    const { size, groupOf, delta, gain } = this;
    for (const a of rows) {
      for (let b = 0; b < size; b++) {
        const g = groupOf[a] === groupOf[b] ? -Infinity : delta[a * size + b] + delta[b * size + a];
        gain[a * size + b] = g;
        gain[b * size + a] = g;
      }
    }
  }

  /** a · size + b (a < b) of the swap with the largest gain above `tolerance` (first found on ties), or −1. */
  private bestSwap(tolerance: number): number {
    const { size, gain } = this;
    let best = -1;
    let bestGain = tolerance;
    for (let a = 0; a < size; a++) {
      for (let i = a * size + a + 1, end = (a + 1) * size; i < end; i++) {
        if (gain[i] > bestGain) {
          bestGain = gain[i];
          best = i;
        }
      }
    }
    return best;
  }

  private swap(a: number, b: number): void {
    const { members, groupOf, changed } = this;
    const m = this.pattern.m;
    const [g, h] = [groupOf[a], groupOf[b]];
    const [positionOfA, positionOfB] = [members.indexOf(a), members.indexOf(b)];
    members[positionOfA] = b;
    members[positionOfB] = a;
    groupOf[a] = h;
    groupOf[b] = g;
    this.refreshGroup(g);
    this.refreshGroup(h);
    changed.set(members.subarray(g * m, g * m + m));
    changed.set(members.subarray(h * m, h * m + m), m);
    this.fillDeltaRows(changed);
    this.updateGains(changed);
  }

  /** Rows in group order, ascending inside each group. */
  private order(): Int32Array {
    const m = this.pattern.m;
    const order = this.members.slice(0, this.size);
    for (let g = 0; g < this.size / m; g++) order.subarray(g * m, g * m + m).sort();
    return order;
  }
}

export interface BlockSearchResult {
  /** Rows in group order. */
  order: Int32Array;
  swaps: number;
  /** R of the block in its initial order and in `order`; the block's total score. */
  before: number;
  after: number;
  total: number;
}
