// Listing fragments shared by the pruning kernels (shuffle-kernels.ts, retained-kernel.ts, nm-kernel.ts).
import type { Comparator } from './sorting-network';
import { addLanesToF64, get, i32, op, set, simd, tee } from '../wasm-assembler';

/**
 * Columns per float32 partial sum, in bytes (256 columns): sums run in float32 per lane over a chunk
 * and are then added in float64, a relative error ~1e-7.
 */
export const CHUNK_BYTES = 1024;

/** Pushes min(j + CHUNK_BYTES, limit) into local `end` (j, limit, end are local indices). */
export const chunkEnd = (j: number, limit: number, end: number): number[] =>
  [...get(j), ...i32(CHUNK_BYTES), op.i32Add, ...tee(end), ...get(limit), ...get(end), ...get(limit), op.i32LtU, op.select, ...set(end)];

/**
 * Closes a chunk's inner loop (j += 16 while j < end, opened after `chunkEnd`) and adds each f32x4
 * partial sum to its float64 total: `sums` pairs [float64 local, v128 local].
 */
export const closeChunk = (j: number, end: number, sums: [number, number][]): number[] => [
  ...get(j), ...i32(16), op.i32Add, ...tee(j), ...get(end), op.i32LtU, op.brIf, 0,
  op.end,
  ...sums.flatMap(([total, partial]) => [...get(total), ...addLanesToF64(partial), ...set(total)]),
];

/** Runs the comparators on the f32x4 locals wire(0…): per lane, the larger value to the lower wire. */
export const networkCode = (network: readonly Comparator[], wire: (i: number) => number): number[] =>
  network.flatMap(([i, j]) => [
    ...get(wire(i)), ...get(wire(j)), ...simd.pmax(),
    ...get(wire(i)), ...get(wire(j)), ...simd.pmin(),
    ...set(wire(j)), ...set(wire(i)),
  ]);
