// A branchless WebAssembly SIMD kernel that prunes a [K, N] weight to N:M in one sweep: per group of
// M rows and 4 output units at a time it ranks the scores, writes the mask, zeroes the weights it
// drops and counts zeros. Branchy JS selection (insertion sort per group) cost 50–140 ns per weight
// on random scores here, almost all of it branch mispredictions; this kernel runs in ~1 ns.
// Keeps exactly what nmMask keeps (rank_i = #{j: s_j > s_i} + #{j < i: s_j = s_i}, keep when
// rank_i < N; NaN ranks as −∞). R and the total are summed in float32 per lane over chunks of 256
// columns, then in float64 (relative error ~1e-7; the report rounds the ratio to 1e-6).
import { applyMask } from './apply-mask';
import { countZeros } from '../onnx/nm-compliance';
import { chunkEnd, closeChunk } from './kernel-parts';
import { nmMask, type DenseLayer } from './nm-mask';
import type { NmPattern } from './pattern';
import { denseReason } from './pattern';
import type { MatrixShape, WeightMatrix } from './weight-matrix';
import { checkMatrix } from './weight-matrix';
import type { WasmFunction } from '../wasm-assembler';
import { compiledModule, ensureMemory, F64, get, I32, i32, op, set, simd, tee, V128 } from '../wasm-assembler';

/**
 * A layer pruned to N:M: its mask (1 = kept, in the weight's layout; a view into the pruner's memory,
 * valid until its next run: copy it to keep it), kept and total score, zeros after.
 */
export interface PrunedToPattern {
  kind: 'nm';
  mask: Uint8Array;
  retained: number;
  total: number;
  zeros: number;
}

/**
 * prune(scores, weights, mask, k0, rowBytes, out) for a fixed pattern: one group of M rows starting at
 * byte offset k0 (JS loops over the groups: V8 runs a long WebAssembly call in its baseline tier, and
 * many short calls get the optimized code, 3–6× faster here). Adds R, the total and the zeros to the
 * f64, f64, u32 at `out`. Locals: 6 k0, 7 j, 8 end, 9 addr; v128 10.. v_i (m), then accR, accT,
 * zeros, NEGINF, LIMIT, keep, w; f64 retained, total.
 */
function pruneFunction({ n, m }: NmPattern): WasmFunction {
  const [K0, J, END, ADDR] = [6, 7, 8, 9];
  const v = (i: number) => 10 + i;
  const [ACC_R, ACC_T, ZEROS, NEG_INF, LIMIT, KEEP, W] = Array.from({ length: 7 }, (_, i) => 10 + m + i) as [number, number, number, number, number, number, number];
  const [RETAINED, TOTAL] = [10 + m + 7, 10 + m + 8];
  const rows = Array.from({ length: m }, (_, i) => i);
  /** addr = k0 + i · rowBytes + j (byte offset of score/weight (k0 + i, j / 4)). */
  const address = (i: number) => [...get(K0), ...get(4), ...i32(i), op.i32Mul, op.i32Add, ...get(J), op.i32Add, ...set(ADDR)];
  /** −rank_i as the sum of −1 compare masks: s_j > s_i for every j ≠ i, s_j = s_i for j < i. */
  const rank = (i: number) =>
    rows.filter((j) => j !== i).flatMap((j, t) => [
      ...get(v(j)), ...get(v(i)), ...simd.gt(),
      ...(j < i ? [...get(v(j)), ...get(v(i)), ...simd.f32x4Eq(), ...simd.i32x4Add()] : []),
      ...(t > 0 ? simd.i32x4Add() : []),
    ]);
  return {
    name: 'prune',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [[4, I32], [m + 7, V128], [2, F64]],
    body: [
      ...op.f32NegInfinity, ...simd.f32x4Splat(), ...set(NEG_INF),
      ...i32(-n), ...simd.i32x4Splat(), ...set(LIMIT),
      ...simd.zero(), ...set(ZEROS),
      ...get(3), ...set(K0),
      ...get(5), ...op.f64Load, ...set(RETAINED),
      ...get(5), ...i32(8), op.i32Add, ...op.f64Load, ...set(TOTAL),
      ...i32(0), ...set(J),
      ...op.block, ...op.loop,
      ...get(J), ...get(4), op.i32GeU, op.brIf, 1,
      ...simd.zero(), ...set(ACC_R),
      ...simd.zero(), ...set(ACC_T),
      ...chunkEnd(J, 4, END),
      ...op.loop,
      ...rows.flatMap((i) => [
        ...address(i),
        ...get(0), ...get(ADDR), op.i32Add, ...simd.load(), ...tee(v(i)),
        ...get(ACC_T), ...simd.add(), ...set(ACC_T),
        ...get(v(i)), ...get(NEG_INF), ...get(v(i)), ...get(v(i)), ...simd.f32x4Eq(), ...simd.bitselect(), ...set(v(i)),
      ]),
      ...rows.flatMap((i) => [
        ...address(i),
        ...rank(i), ...get(LIMIT), ...simd.i32x4GtS(), ...set(KEEP),
        ...get(ACC_R), ...get(v(i)), ...simd.zero(), ...get(KEEP), ...simd.bitselect(), ...simd.add(), ...set(ACC_R),
        ...get(1), ...get(ADDR), op.i32Add,
        ...get(1), ...get(ADDR), op.i32Add, ...simd.load(), ...simd.zero(), ...get(KEEP), ...simd.bitselect(), ...tee(W),
        ...simd.store(),
        ...get(ZEROS), ...get(W), ...simd.zero(), ...simd.f32x4Eq(), ...simd.i32x4Add(), ...set(ZEROS),
        // mask bytes (k0 + i, j/4 .. j/4+3) = keep lanes narrowed to 0xFF/0x00, then & 1
        ...get(2), ...get(ADDR), ...i32(2), op.i32ShrU, op.i32Add,
        ...get(KEEP), ...get(KEEP), ...simd.i16x8NarrowI32x4S(), ...get(KEEP), ...get(KEEP), ...simd.i16x8NarrowI32x4S(), ...simd.i8x16NarrowI16x8S(),
        ...simd.i32x4ExtractLane(0), ...i32(0x01010101), op.i32And, ...op.i32Store,
      ]),
      ...closeChunk(J, END, [[RETAINED, ACC_R], [TOTAL, ACC_T]]),
      op.br, 0,
      op.end, op.end,
      ...get(5), ...get(RETAINED), ...op.f64Store,
      ...get(5), ...i32(8), op.i32Add, ...get(TOTAL), ...op.f64Store,
      ...get(5), ...i32(16), op.i32Add, ...get(5), ...i32(16), op.i32Add, ...op.i32Load,
      ...[0, 1, 2, 3].flatMap((lane) => [...get(ZEROS), ...simd.i32x4ExtractLane(lane), op.i32Sub]),
      ...op.i32Store,
    ],
  };
}

type Prune = (scores: number, weights: number, mask: number, k0: number, rowBytes: number, out: number) => void;

/**
 * Prunes weights to one N:M pattern with the kernel when the layout allows (stored [K, N] with N a
 * multiple of 4), else with nmMask + applyMask. One instance per pattern and planning run: it keeps
 * its WebAssembly memory, sized for the largest layer so far, until it is dropped.
 */
export class PatternPruner {
  private memory = new WebAssembly.Memory({ initial: 1 });
  private readonly prune: Prune;

  constructor(readonly pattern: NmPattern) {
    const module = compiledModule(`prune ${pattern.n}:${pattern.m}`, () => [pruneFunction(pattern)]);
    this.prune = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports.prune as Prune;
  }

  /**
   * Where to put the scores of a weight of this shape before `run` (a view into the pruner's memory,
   * valid until the next call; writing there saves a copy), or undefined when `run` will not use it.
   */
  scoresFor(shape: MatrixShape): Float32Array | undefined {
    const count = shape.K * shape.N;
    if (!this.usesKernel(shape)) return undefined;
    this.reserve(count);
    return new Float32Array(this.memory.buffer, 0, count);
  }

  /** Zeroes `weight.data` in place where the N:M mask of `scores` drops; kept weights are untouched. */
  run(weight: WeightMatrix, scores: WeightMatrix): PrunedToPattern | DenseLayer {
    checkMatrix(scores, 'N:M mask');
    const reason = denseReason(scores.K, this.pattern);
    if (reason) return { kind: 'dense', reason };
    if (!this.usesKernel(scores)) return this.plain(weight, scores);
    const count = scores.data.length;
    const { scoreAt, weightAt, maskAt, outAt } = this.reserve(count);
    const buffer = this.memory.buffer;
    const own = scores.data.buffer === buffer && scores.data.byteOffset === scoreAt;
    if (!own) new Float32Array(buffer, scoreAt, count).set(scores.data);
    new Float32Array(buffer, weightAt, count).set(weight.data);
    new Float64Array(buffer, outAt, 3).fill(0);
    const rowBytes = 4 * scores.N;
    for (let k0 = 0; k0 < scores.K; k0 += this.pattern.m) this.prune(scoreAt, weightAt, maskAt, k0 * rowBytes, rowBytes, outAt);
    weight.data.set(new Float32Array(buffer, weightAt, count));
    const [retained, total] = new Float64Array(buffer, outAt, 2);
    const zeros = new Uint32Array(buffer, outAt + 16, 1)[0]!;
    return { kind: 'nm', mask: new Uint8Array(buffer, maskAt, count), retained: retained!, total: total!, zeros };
  }

  /** The kernel sweeps [K, N] rows 4 units at a time, with byte offsets in 32 bits. */
  private usesKernel(shape: MatrixShape): boolean {
    return shape.layout === 'KN' && shape.N % 4 === 0 && 9 * shape.K * shape.N <= 2 ** 31;
  }

  /** Byte offsets of the scores, weights, mask and results for `count` weights; grows the memory. */
  private reserve(count: number): { scoreAt: number; weightAt: number; maskAt: number; outAt: number } {
    const at = { scoreAt: 0, weightAt: 4 * count, maskAt: 8 * count, outAt: 9 * count + 16 - ((9 * count) % 16) };
    ensureMemory(this.memory, at.outAt + 32);
    return at;
  }

  private plain(weight: WeightMatrix, scores: WeightMatrix): PrunedToPattern | DenseLayer {
    const mask = nmMask(scores, this.pattern);
    if (mask.kind === 'dense') return mask;
    applyMask(weight.data, mask.mask);
    return { ...mask, zeros: countZeros(weight.data) };
  }
}
