// WebAssembly SIMD kernels for the local shuffle's two hot loops (BlockSwapSearch), on 4 columns at
// a time. Measured on random 3072×768 scores: plain JS took ~10 ns per element for the distance
// loop and as long as the kernel for the group thresholds; these kernels take ~1.2 ns per element.
// Sums run in float32 per lane over chunks of 256 columns and are then added in float64 (relative
// error ~1e-7); the search only accepts swaps that gain far more than that (see block-swap-search.ts).
import type { NmPattern } from './pattern';
import type { WasmFunction } from '../wasm-assembler';
import { addLanesToF64, assembleModule, F64, get, I32, i32, op, set, simd, tee, V128 } from '../wasm-assembler';

const CHUNK_BYTES = 1024;

/** Pushes min(j + CHUNK_BYTES, limit) into local `end` (j, limit, end are local indices). */
const chunkEnd = (j: number, limit: number, end: number): number[] =>
  [...get(j), ...i32(CHUNK_BYTES), op.i32Add, ...tee(end), ...get(limit), ...get(end), ...get(limit), op.i32LtU, op.select, ...set(end)];

/**
 * distances(t, rows, stride, count, out): out[b] = Σ_j |rows[b][j] − t[j]| for b < count, where rows
 * are `stride` bytes apart (a multiple of 32; t, rows, out are byte addresses). Two accumulators of 4
 * lanes each (8 columns per step) hide the latency of the adds.
 * Locals: 5 b, 6 j, 7 row, 8 end, 9 acc0, 10 acc1, 11 total.
 */
const accumulateDistance = (acc: number, offset: number): number[] => [
  ...get(acc),
  ...get(7), ...get(6), op.i32Add, ...simd.load(offset),
  ...get(0), ...get(6), op.i32Add, ...simd.load(offset),
  ...simd.sub(), ...simd.abs(), ...simd.add(), ...set(acc),
];
const distances: WasmFunction = {
  name: 'distances',
  params: [I32, I32, I32, I32, I32],
  locals: [[4, I32], [2, V128], [1, F64]],
  body: [
    ...i32(0), ...set(5),
    ...op.loop,
    ...op.f64Zero, ...set(11),
    ...i32(0), ...set(6),
    ...get(1), ...get(5), ...get(2), op.i32Mul, op.i32Add, ...set(7),
    ...op.block, ...op.loop,
    ...get(6), ...get(2), op.i32GeU, op.brIf, 1,
    ...simd.zero(), ...set(9),
    ...simd.zero(), ...set(10),
    ...chunkEnd(6, 2, 8),
    ...op.loop,
    ...accumulateDistance(9, 0),
    ...accumulateDistance(10, 16),
    ...get(6), ...i32(32), op.i32Add, ...tee(6), ...get(8), op.i32LtU, op.brIf, 0,
    op.end,
    ...get(11), ...addLanesToF64(9), ...addLanesToF64(10), ...set(11),
    op.br, 0,
    op.end, op.end,
    ...get(4), ...get(5), ...i32(3), op.i32Shl, op.i32Add, ...get(11), ...op.f64Store,
    ...get(5), ...i32(1), op.i32Add, ...tee(5), ...get(3), op.i32LtU, op.brIf, 0,
    op.end,
  ],
};

/**
 * refresh(members, stride, thresholdOffset, out) for one group of M rows (row indices at `members`):
 * per column, sorts the M values (odd-even transposition network) to get v_N and v_{N+1}; writes each
 * row's threshold t = (x > v_{N+1} ? v_{N+1} : v_N) at its row address + thresholdOffset, and
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
  const network = members.flatMap((pass) =>
    members
      .filter((k) => k % 2 === pass % 2 && k + 1 < m)
      .flatMap((k) => [...get(s(k)), ...get(s(k + 1)), ...simd.pmax(), ...get(s(k)), ...get(s(k + 1)), ...simd.pmin(), ...set(s(k + 1)), ...set(s(k))]),
  );
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
      ...network,
      ...members.flatMap((i) => [
        ...get(v(i)), ...get(vNext), ...simd.gt(), ...set(MASK),
        ...get(p(i)), ...get(J), op.i32Add, ...get(2), op.i32Add,
        ...get(vNext), ...get(vN), ...get(MASK), ...simd.bitselect(), ...simd.store(),
        ...get(acc(i)), ...get(v(i)), ...get(vN), ...get(MASK), ...simd.bitselect(), ...simd.add(), ...set(acc(i)),
      ]),
      ...get(J), ...i32(16), op.i32Add, ...tee(J), ...get(END), op.i32LtU, op.brIf, 0,
      op.end,
      ...members.flatMap((i) => [...get(total(i)), ...addLanesToF64(acc(i)), ...set(total(i))]),
      op.br, 0,
      op.end, op.end,
      ...members.flatMap((i) => [...get(3), ...i32(8 * i), op.i32Add, ...get(total(i)), op.f64Neg, ...op.f64Store]),
    ],
  };
}

const modules = new Map<string, WebAssembly.Module>();

function compiled(pattern: NmPattern): WebAssembly.Module {
  const key = `${pattern.n}:${pattern.m}`;
  let module = modules.get(key);
  if (!module) {
    module = new WebAssembly.Module(assembleModule([distances, refreshFunction(pattern)]));
    modules.set(key, module);
  }
  return module;
}

type Distances = (t: number, rows: number, stride: number, count: number, out: number) => void;
type Refresh = (members: number, stride: number, thresholdOffset: number, out: number) => void;

/**
 * Memory for a block of `block` rows of `stride` float32 columns (a multiple of 8; columns past the
 * data must stay 0) and their thresholds, with the two kernels.
 */
export class ShuffleKernels {
  readonly rows: Float32Array;
  readonly threshold: Float32Array;
  private readonly distanceOut: Float64Array;
  private readonly memberIn: Int32Array;
  private readonly constantOut: Float64Array;
  private readonly runDistances: Distances;
  private readonly runRefresh: Refresh;

  constructor(block: number, readonly stride: number, pattern: NmPattern) {
    if (stride % 8 !== 0) throw new Error(`ShuffleKernels: stride ${stride} is not a multiple of 8`);
    const floats = block * stride;
    const bytes = 8 * floats + 8 * block + 4 * pattern.m + 8 * pattern.m;
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    const { exports } = new WebAssembly.Instance(compiled(pattern), { env: { memory } });
    this.runDistances = exports.distances as Distances;
    this.runRefresh = exports.refresh as Refresh;
    this.rows = new Float32Array(memory.buffer, 0, floats);
    this.threshold = new Float32Array(memory.buffer, 4 * floats, floats);
    this.distanceOut = new Float64Array(memory.buffer, 8 * floats, block);
    this.constantOut = new Float64Array(memory.buffer, 8 * floats + 8 * block, pattern.m);
    this.memberIn = new Int32Array(memory.buffer, 8 * floats + 8 * block + 8 * pattern.m, pattern.m);
  }

  /** out[b] = Σ_j |rows[b, j] − threshold[a, j]| for b < count (a view, valid until the next call). */
  distances(a: number, count: number): Float64Array {
    const floats = this.rows.length;
    this.runDistances(4 * (floats + a * this.stride), 0, 4 * this.stride, count, this.distanceOut.byteOffset);
    return this.distanceOut;
  }

  /** Writes the thresholds of the group's rows; returns their constants c_i (a view, valid until the next call). */
  refresh(group: Int32Array): Float64Array {
    this.memberIn.set(group);
    this.runRefresh(this.memberIn.byteOffset, 4 * this.stride, 4 * this.rows.length, this.constantOut.byteOffset);
    return this.constantOut;
  }
}
