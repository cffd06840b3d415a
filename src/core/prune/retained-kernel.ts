// WebAssembly SIMD kernel for the retained score R (retained-score.ts, and the local shuffle's report
// of its result). The plain JS loop (insertion sort per output unit and group) took 30–35 ns per
// element on random scores, mostly branch mispredictions; this kernel sorts 4 columns at a time with
// a sorting network.
import type { NmPattern } from './pattern';
import { chunkEnd, closeChunk, networkCode } from './kernel-parts';
import { selectionNetwork, sortingNetwork } from './sorting-network';
import type { WasmFunction } from '../wasm-assembler';
import { compiledModule, F64, get, I32, i32, op, set, simd, V128 } from '../wasm-assembler';

/**
 * retained(members, groups, stride, out) over `groups` groups of M rows whose row indices are listed
 * at `members` (group g = entries gM … gM+M−1), rows `stride` bytes apart from address 0, all columns
 * up to `stride` (padding columns must be 0): out[0] += Σ_columns Σ_groups (sum of the N largest of
 * the group's M values) and out[1] += the sum of all values (float64 at `out`, `out` + 8).
 */
function retainedFunction({ n, m }: NmPattern): WasmFunction {
  const [MEMBERS, GROUPS, STRIDE, OUT] = [0, 1, 2, 3];
  const [Q, QEND, J, END] = [4, 5, 6, 7];
  const p = (i: number) => 8 + i;
  const s = (i: number) => 8 + m + i;
  const [KEPT, ALL] = [8 + 2 * m, 9 + 2 * m];
  const [RETAINED, TOTAL] = [10 + 2 * m, 11 + 2 * m];
  const wires = Array.from({ length: m }, (_, i) => i);
  const addOut = (offset: number, local: number): number[] => [
    ...get(OUT), ...i32(offset), op.i32Add,
    ...get(OUT), ...i32(offset), op.i32Add, ...op.f64Load, ...get(local), op.f64Add, ...op.f64Store,
  ];
  return {
    name: 'retained',
    params: [I32, I32, I32, I32],
    locals: [[4 + m, I32], [m + 2, V128], [2, F64]],
    body: [
      ...get(MEMBERS), ...set(Q),
      ...get(MEMBERS), ...get(GROUPS), ...i32(4 * m), op.i32Mul, op.i32Add, ...set(QEND),
      ...op.block, ...op.loop,
      ...get(Q), ...get(QEND), op.i32GeU, op.brIf, 1,
      ...wires.flatMap((i) => [...get(Q), ...i32(4 * i), op.i32Add, ...op.i32Load, ...get(STRIDE), op.i32Mul, ...set(p(i))]),
      ...i32(0), ...set(J),
      ...op.block, ...op.loop,
      ...get(J), ...get(STRIDE), op.i32GeU, op.brIf, 1,
      ...simd.zero(), ...set(KEPT),
      ...simd.zero(), ...set(ALL),
      ...chunkEnd(J, STRIDE, END),
      ...op.loop,
      ...wires.flatMap((i) => [...get(p(i)), ...get(J), op.i32Add, ...simd.load(), ...set(s(i))]),
      ...get(ALL), ...wires.flatMap((i) => [...get(s(i)), ...simd.add()]), ...set(ALL),
      ...networkCode(selectionNetwork(sortingNetwork(m), n), s),
      ...get(KEPT), ...wires.slice(0, n).flatMap((i) => [...get(s(i)), ...simd.add()]), ...set(KEPT),
      ...closeChunk(J, END, [[RETAINED, KEPT], [TOTAL, ALL]]),
      op.br, 0,
      op.end, op.end,
      ...get(Q), ...i32(4 * m), op.i32Add, ...set(Q),
      op.br, 0,
      op.end, op.end,
      ...addOut(0, RETAINED),
      ...addOut(8, TOTAL),
    ],
  };
}

/** The kernel for `pattern` (compiled once per pattern) on `memory`. */
export function retainedKernel(pattern: NmPattern, memory: WebAssembly.Memory): RetainedKernel {
  const module = compiledModule(`retained ${pattern.n}:${pattern.m}`, () => [retainedFunction(pattern)]);
  return new WebAssembly.Instance(module, { env: { memory } }).exports.retained as RetainedKernel;
}

/** Byte addresses and counts as described at `retainedFunction`. */
export type RetainedKernel = (members: number, groups: number, stride: number, out: number) => void;
