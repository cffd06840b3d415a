// WebAssembly SIMD kernels for the local shuffle's hot loops (BlockSwapSearch), on 4 columns at a
// time: the Δ table's sums Σ max(S_b, t_a) for 4 threshold rows per sweep of the block, the group
// thresholds (a sorting network per 4 columns), and the block's retained score (retained-kernel.ts).
// Sums run in float32 per lane over chunks of 256 columns and are then added in float64 (relative
// error ~1e-7); the search only accepts swaps that gain far more than that (see block-swap-search.ts).
// Measured figures: docs/pruning.md, "Measurements".
import type { NmPattern } from './pattern';
import { chunkEnd, closeChunk, networkCode } from './kernel-parts';
import type { RetainedKernel } from './retained-kernel';
import { retainedKernel } from './retained-kernel';
import { sortingNetwork } from './sorting-network';
import type { WasmFunction } from '../wasm-assembler';
import { compiledModule, F64, get, I32, i32, op, set, simd, tee, V128 } from '../wasm-assembler';

/** Threshold rows per sweep of the block in `sums`: each row loaded feeds 4 independent accumulators. */
export const SUM_ROWS = 4;

/**
 * sums(t_0, …, t_{R−1}, list, stride, count, out) with R = SUM_ROWS: out[R·p + i] =
 * Σ_j max(row b_p[j], t_i[j]) for the rows b_p (p < count) whose indices are listed at `list`, where
 * rows are `stride` bytes apart from address 0 (a multiple of 16) and t_i are the addresses of R
 * threshold rows. Two rows at a time (the last one twice for an odd count): each vector of a
 * threshold row is loaded once for both, each of theirs once for all R, into 2R independent
 * accumulators.
 */
function sumsFunction(): WasmFunction {
  const tiles = Array.from({ length: SUM_ROWS }, (_, i) => i);
  const [LIST, STRIDE, COUNT, OUT] = [0, 1, 2, 3].map((i) => SUM_ROWS + i);
  const [B, B1, J, ROW0, ROW1, END] = [4, 5, 6, 7, 8, 9].map((i) => SUM_ROWS + i);
  const [X0, X1, T] = [10, 11, 12].map((i) => SUM_ROWS + i);
  const acc = (i: number, r: number) => SUM_ROWS + 13 + 2 * i + r;
  const total = (i: number, r: number) => 3 * SUM_ROWS + 13 + 2 * i + r;
  const store = (row: number, r: number): number[] =>
    tiles.flatMap((i) => [...get(OUT), ...get(row), ...i32(8 * SUM_ROWS), op.i32Mul, op.i32Add, ...i32(8 * i), op.i32Add, ...get(total(i, r)), ...op.f64Store]);
  return {
    name: 'sums',
    params: new Array<number>(SUM_ROWS + 4).fill(I32),
    locals: [[6, I32], [3 + 2 * SUM_ROWS, V128], [2 * SUM_ROWS, F64]],
    body: [
      ...i32(0), ...set(B),
      ...op.loop,
      // b1 = min(b + 1, count − 1)
      ...get(B), ...i32(1), op.i32Add, ...tee(B1), ...get(B), ...get(B1), ...get(COUNT), op.i32LtU, op.select, ...set(B1),
      ...tiles.flatMap((i) => [...op.f64Zero, ...set(total(i, 0)), ...op.f64Zero, ...set(total(i, 1))]),
      ...i32(0), ...set(J),
      ...get(LIST), ...get(B), ...i32(2), op.i32Shl, op.i32Add, ...op.i32Load, ...get(STRIDE), op.i32Mul, ...set(ROW0),
      ...get(LIST), ...get(B1), ...i32(2), op.i32Shl, op.i32Add, ...op.i32Load, ...get(STRIDE), op.i32Mul, ...set(ROW1),
      ...op.block, ...op.loop,
      ...get(J), ...get(STRIDE), op.i32GeU, op.brIf, 1,
      ...tiles.flatMap((i) => [...simd.zero(), ...set(acc(i, 0)), ...simd.zero(), ...set(acc(i, 1))]),
      ...chunkEnd(J, STRIDE, END),
      ...op.loop,
      ...get(ROW0), ...get(J), op.i32Add, ...simd.load(), ...set(X0),
      ...get(ROW1), ...get(J), op.i32Add, ...simd.load(), ...set(X1),
      ...tiles.flatMap((i) => [
        ...get(i), ...get(J), op.i32Add, ...simd.load(), ...set(T),
        ...get(acc(i, 0)), ...get(X0), ...get(T), ...simd.pmax(), ...simd.add(), ...set(acc(i, 0)),
        ...get(acc(i, 1)), ...get(X1), ...get(T), ...simd.pmax(), ...simd.add(), ...set(acc(i, 1)),
      ]),
      ...closeChunk(J, END, tiles.flatMap((i): [number, number][] => [[total(i, 0), acc(i, 0)], [total(i, 1), acc(i, 1)]])),
      op.br, 0,
      op.end, op.end,
      ...store(B, 0),
      ...store(B1, 1),
      ...get(B), ...i32(2), op.i32Add, ...tee(B), ...get(COUNT), op.i32LtU, op.brIf, 0,
      op.end,
    ],
  };
}

/**
 * refresh(members, stride, thresholdOffset, out) for one group of M rows (row indices at `members`):
 * per column, sorts the M values (Batcher's network) to get v_N and v_{N+1}; writes each row's
 * threshold t = (x > v_{N+1} ? v_{N+1} : v_N) at its row address + thresholdOffset, and
 * out[i] = −Σ_j (x > v_{N+1} ? x : v_N) for member i.
 */
function refreshFunction({ n, m }: NmPattern): WasmFunction {
  const [J, END] = [4, 5];
  const p = (i: number) => 6 + i;
  const v = (i: number) => 6 + m + i;
  const s = (i: number) => 6 + 2 * m + i;
  const acc = (i: number) => 6 + 3 * m + i;
  const MASK = 6 + 4 * m;
  const total = (i: number) => 7 + 4 * m + i;
  const members = Array.from({ length: m }, (_, i) => i);
  const [vN, vNext] = [s(n - 1), s(n)];
  return {
    name: 'refresh',
    params: [I32, I32, I32, I32],
    locals: [[2 + m, I32], [3 * m + 1, V128], [m, F64]],
    body: [
      ...members.flatMap((i) => [...get(0), ...i32(4 * i), op.i32Add, ...op.i32Load, ...get(1), op.i32Mul, ...set(p(i))]),
      ...members.flatMap((i) => [...op.f64Zero, ...set(total(i))]),
      ...i32(0), ...set(J),
      ...op.block, ...op.loop,
      ...get(J), ...get(1), op.i32GeU, op.brIf, 1,
      ...members.flatMap((i) => [...simd.zero(), ...set(acc(i))]),
      ...chunkEnd(J, 1, END),
      ...op.loop,
      ...members.flatMap((i) => [...get(p(i)), ...get(J), op.i32Add, ...simd.load(), ...tee(v(i)), ...set(s(i))]),
      ...networkCode(sortingNetwork(m), s),
      ...members.flatMap((i) => [
        ...get(v(i)), ...get(vNext), ...simd.gt(), ...set(MASK),
        ...get(p(i)), ...get(J), op.i32Add, ...get(2), op.i32Add,
        ...get(vNext), ...get(vN), ...get(MASK), ...simd.bitselect(), ...simd.store(),
        ...get(acc(i)), ...get(v(i)), ...get(vN), ...get(MASK), ...simd.bitselect(), ...simd.add(), ...set(acc(i)),
      ]),
      ...closeChunk(J, END, members.map((i): [number, number] => [total(i), acc(i)])),
      op.br, 0,
      op.end, op.end,
      ...members.flatMap((i) => [...get(3), ...i32(8 * i), op.i32Add, ...get(total(i)), op.f64Neg, ...op.f64Store]),
    ],
  };
}

/** (t_0, …, t_{SUM_ROWS−1}, list, stride, count, out). */
type Sums = (...addresses: number[]) => void;
type Refresh = (members: number, stride: number, thresholdOffset: number, out: number) => void;

/**
 * Memory for a block of `block` rows of `stride` float32 columns (a multiple of 8; columns past the
 * data must stay 0) and their thresholds, with the kernels.
 */
export class ShuffleKernels {
  readonly rows: Float32Array;
  readonly threshold: Float32Array;
  private readonly sumOut: Float64Array;
  private readonly constantOut: Float64Array;
  private readonly retainedOut: Float64Array;
  private readonly memberIn: Int32Array;
  private readonly sumRowsIn: Int32Array;
  private readonly runSums: Sums;
  private readonly sumArgs: number[];
  private readonly runRefresh: Refresh;
  private readonly runRetained: RetainedKernel;

  constructor(block: number, readonly stride: number, private readonly pattern: NmPattern) {
    if (stride % 8 !== 0) throw new Error(`ShuffleKernels: stride ${stride} is not a multiple of 8`);
    const floats = block * stride;
    const f64 = SUM_ROWS * block + pattern.m + 2;
    const bytes = 8 * floats + 8 * f64 + 8 * block;
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    const { exports } = new WebAssembly.Instance(compiledModule(`shuffle ${pattern.n}:${pattern.m}`, () => [sumsFunction(), refreshFunction(pattern)]), { env: { memory } });
    this.runSums = exports.sums as Sums;
    this.runRefresh = exports.refresh as Refresh;
    this.runRetained = retainedKernel(pattern, memory);
    this.rows = new Float32Array(memory.buffer, 0, floats);
    this.threshold = new Float32Array(memory.buffer, 4 * floats, floats);
    const f64View = (offset: number, length: number) => new Float64Array(memory.buffer, 8 * floats + 8 * offset, length);
    this.sumOut = f64View(0, SUM_ROWS * block);
    this.constantOut = f64View(SUM_ROWS * block, pattern.m);
    this.retainedOut = f64View(SUM_ROWS * block + pattern.m, 2);
    this.memberIn = new Int32Array(memory.buffer, 8 * floats + 8 * f64, block);
    this.sumRowsIn = new Int32Array(memory.buffer, 8 * floats + 8 * f64 + 4 * block, block);
    this.sumArgs = [...new Array<number>(SUM_ROWS).fill(0), this.sumRowsIn.byteOffset, 4 * stride, 0, this.sumOut.byteOffset];
  }

  /**
   * out[SUM_ROWS · p + i] = Σ_j max(rows[b[p], j], threshold[a_i, j]) for the rows b[p] and the (at
   * most SUM_ROWS) rows a_i (a view, valid until the next call).
   */
  sums(a: ArrayLike<number>, b: Int32Array): Float64Array {
    for (let i = 0; i < SUM_ROWS; i++) this.sumArgs[i] = 4 * (this.rows.length + a[Math.min(i, a.length - 1)] * this.stride);
    this.sumRowsIn.set(b);
    this.sumArgs[SUM_ROWS + 2] = b.length;
    this.runSums(...this.sumArgs);
    return this.sumOut;
  }

  /** Writes the thresholds of the group's rows; returns their constants c_i (a view, valid until the next call). */
  refresh(group: Int32Array): Float64Array {
    this.memberIn.set(group);
    this.runRefresh(this.memberIn.byteOffset, 4 * this.stride, 4 * this.rows.length, this.constantOut.byteOffset);
    return this.constantOut;
  }

  /** R and the total of the rows grouped in `order` (consecutive runs of M rows). */
  retained(order: Int32Array): { retained: number; total: number } {
    this.memberIn.set(order);
    this.retainedOut.fill(0);
    this.runRetained(this.memberIn.byteOffset, order.length / this.pattern.m, 4 * this.stride, this.retainedOut.byteOffset);
    return { retained: this.retainedOut[0], total: this.retainedOut[1] };
  }
}
