// WebAssembly SIMD kernel for S[k, n] = |W[k, n]| · factor[k] (Wanda's and E-Sparse's scores,
// ALGORITHMS.md §1), four weights per step: |w| is promoted to float64, multiplied by the float64
// factor and rounded to float32, exactly what the plain loop `out[i] = Math.abs(w[i]) * f` stores,
// so the scores are bit-identical. The plain loop cost ~13 ns per weight on this project's VM.
import type { WasmFunction } from '../wasm-assembler';
import { compiledModule, ensureMemory, get, I32, i32, leb, op, set, simd, V128 } from '../wasm-assembler';
import type { WeightMatrix } from './weight-matrix';

const f32x4DemoteF64x2Zero = (): number[] => [0xfd, ...leb(0x5e)];
const f64Load = (): number[] => op.f64Load;
/** Lanes 2, 3 of a f32x4 moved to lanes 0, 1 (for promote_low). */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** Lanes 0, 1 of a and lanes 0, 1 of b. */
const JOIN_LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * scale(src, dst, rows, width, rowBytes, factors): for `rows` rows of `rowBytes` bytes, the first
 * `width` bytes (a multiple of 16): dst = f32(f64(|src|) · factor). `perRow`: one factor per row
 * (float64 at factors + 8·row, the [K, N] layout); else one per column (factors + 2·byte offset,
 * the [N, K] layout).
 * Locals: 6 j (byte offset in the row), 7 v, 8 fLow (factors of lanes 0, 1), 9 fHigh (lanes 2, 3).
 */
const scale = (name: string, perRow: boolean): WasmFunction => ({
  name,
  params: [I32, I32, I32, I32, I32, I32],
  locals: [[1, I32], [3, V128]],
  body: [
    ...op.block, ...op.loop,
    ...get(2), ...i32(0), op.i32LeS, op.brIf, 1,
    ...(perRow ? [...get(5), ...f64Load(), ...simd.f64x2Splat(), ...set(8), ...get(8), ...set(9)] : []),
    ...i32(0), ...set(6),
    ...op.block, ...op.loop,
    ...get(6), ...get(3), op.i32GeU, op.brIf, 1,
    ...get(0), ...get(6), op.i32Add, ...simd.load(), ...simd.abs(), ...set(7),
    ...(perRow ? [] : [
      ...get(5), ...get(6), ...get(6), op.i32Add, op.i32Add, ...simd.load(), ...set(8),
      ...get(5), ...get(6), ...get(6), op.i32Add, op.i32Add, ...simd.load(16), ...set(9),
    ]),
    ...get(1), ...get(6), op.i32Add,
    ...get(7), ...simd.f64x2PromoteLow(), ...get(8), ...simd.f64x2Mul(), ...f32x4DemoteF64x2Zero(),
    ...get(7), ...get(7), ...simd.i8x16Shuffle(HIGH_HALF), ...simd.f64x2PromoteLow(), ...get(9), ...simd.f64x2Mul(), ...f32x4DemoteF64x2Zero(),
    ...simd.i8x16Shuffle(JOIN_LOW), ...simd.store(),
    ...get(6), ...i32(16), op.i32Add, ...set(6),
    op.br, 0,
    op.end, op.end,
    ...get(0), ...get(4), op.i32Add, ...set(0),
    ...get(1), ...get(4), op.i32Add, ...set(1),
    ...(perRow ? [...get(5), ...i32(8), op.i32Add, ...set(5)] : []),
    ...get(2), ...i32(1), op.i32Sub, ...set(2),
    op.br, 0,
    op.end, op.end,
  ],
});

type Scale = (src: number, dst: number, rows: number, width: number, rowBytes: number, factors: number) => void;

/** Rows per kernel call: about 1 MiB of weights, so the memory stays small and V8 tiers the kernel up early. */
const CHUNK_BYTES = 1 << 20;

/** Computes |W| · factor[k] into `out` (W's layout), in chunks of rows through WebAssembly memory. */
export class ChannelScaler {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly run: { perRow: Scale; perColumn: Scale };

  constructor() {
    const { exports } = new WebAssembly.Instance(compiledModule('channel scale', () => [scale('perRow', true), scale('perColumn', false)]), { env: { memory: this.memory } });
    this.run = { perRow: exports.perRow as Scale, perColumn: exports.perColumn as Scale };
  }

  scale(w: WeightMatrix, factor: Float64Array, out: Float32Array): void {
    const [rows, cols] = w.layout === 'KN' ? [w.K, w.N] : [w.N, w.K];
    const perRow = w.layout === 'KN';
    const vectorCols = cols & ~3;
    const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / (4 * cols)));
    const chunk = chunkRows * cols;
    const factorsAt = 0;
    const srcAt = Math.ceil((8 * (perRow ? chunkRows : cols)) / 16) * 16;
    const dstAt = srcAt + 4 * chunk + 16;
    ensureMemory(this.memory, dstAt + 4 * chunk + 16);
    const buffer = this.memory.buffer;
    const factors = new Float64Array(buffer, factorsAt, perRow ? chunkRows : cols);
    const src = new Float32Array(buffer, srcAt, chunk);
    const dst = new Float32Array(buffer, dstAt, chunk);
    if (!perRow) factors.set(factor);
    for (let r0 = 0; r0 < rows; r0 += chunkRows) {
      const n = Math.min(chunkRows, rows - r0);
      src.set(w.data.subarray(r0 * cols, (r0 + n) * cols));
      if (perRow) factors.set(factor.subarray(r0, r0 + n));
      if (vectorCols > 0) (perRow ? this.run.perRow : this.run.perColumn)(srcAt, dstAt, n, 4 * vectorCols, 4 * cols, factorsAt);
      for (let r = 0; r < n; r++) {
        for (let c = vectorCols; c < cols; c++) dst[r * cols + c] = Math.abs(src[r * cols + c]!) * (perRow ? factor[r0 + r]! : factor[c]!);
      }
      out.set(dst.subarray(0, n * cols), r0 * cols);
    }
  }
}
