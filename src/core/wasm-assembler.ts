// Just enough of the WebAssembly binary format to write SIMD kernels in TypeScript (readable listings
// in prune/shuffle-kernels.ts and stats/stats-kernels.ts, no build step, no binary blob in the repository).

export const leb = (value: number): number[] => {
  const out: number[] = [];
  do {
    const low = value & 0x7f;
    value >>>= 7;
    out.push(value ? low | 0x80 : low);
  } while (value);
  return out;
};

/** Signed LEB128, as i32.const wants it (an unsigned encoding turns 64…127 negative). */
export const sleb = (value: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const low = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (low & 0x40) === 0) || (value === -1 && (low & 0x40) !== 0);
    out.push(done ? low : low | 0x80);
    if (done) return out;
  }
};

const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
const name = (s: string): number[] => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

export const op = {
  loop: [0x03, 0x40],
  block: [0x02, 0x40],
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  i32Load: [0x28, 2, 0],
  i32Store: [0x36, 2, 0],
  f64Load: [0x2b, 3, 0],
  f64Store: [0x39, 3, 0],
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i32And: 0x71,
  i32LeS: 0x4c,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  f64Add: 0xa0,
  f64Neg: 0x9a,
  f64PromoteF32: 0xbb,
  f64Zero: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  f32NegInfinity: [0x43, 0x00, 0x00, 0x80, 0xff],
};

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

const simdOp = (code: number) => (...immediates: number[]): number[] => [0xfd, ...leb(code), ...immediates];
export const simd = {
  load: (offset = 0) => simdOp(0x00)(0, ...leb(offset)),
  store: (offset = 0) => simdOp(0x0b)(0, ...leb(offset)),
  zero: () => simdOp(0x0c)(...new Array<number>(16).fill(0)),
  extractLane: (lane: number) => simdOp(0x1f)(lane),
  gt: simdOp(0x44),
  bitselect: simdOp(0x52),
  abs: simdOp(0xe0),
  add: simdOp(0xe4),
  sub: simdOp(0xe5),
  pmin: simdOp(0xea),
  pmax: simdOp(0xeb),
  min: simdOp(0xe8),
  max: simdOp(0xe9),
  i32x4Splat: simdOp(0x11),
  i32x4ExtractLane: (lane: number) => simdOp(0x1b)(lane),
  i32x4MinS: simdOp(0xb6),
  f32x4Splat: simdOp(0x13),
  f32x4Eq: simdOp(0x41),
  i32x4GtS: simdOp(0x3b),
  i32x4Add: simdOp(0xae),
  i32x4Shl: simdOp(0xab),
  i32x4ShrS: simdOp(0xac),
  i32x4ShrU: simdOp(0xad),
  i32x4MaxS: simdOp(0xb8),
  xor: simdOp(0x51),
  f64x2Splat: simdOp(0x14),
  /** i8x16.shuffle: byte i of the result is byte lanes[i] of a ‖ b (0–15 from a, 16–31 from b). */
  i8x16Shuffle: (lanes: number[]) => simdOp(0x0d)(...lanes),
  i16x8NarrowI32x4S: simdOp(0x85),
  i8x16NarrowI16x8S: simdOp(0x65),
  f64x2Add: simdOp(0xf0),
  f64x2Sub: simdOp(0xf1),
  f64x2Mul: simdOp(0xf2),
  f64x2PromoteLow: simdOp(0x5f),
  i32x4TruncSatF64x2Zero: simdOp(0xfc),
};

export const get = (i: number): number[] => [0x20, ...leb(i)];
export const set = (i: number): number[] => [0x21, ...leb(i)];
export const tee = (i: number): number[] => [0x22, ...leb(i)];
export const i32 = (v: number): number[] => [0x41, ...sleb(v)];
/** i32.load at the address on the stack + `offset`. */
export const i32Load = (offset: number): number[] => [0x28, 2, ...leb(offset)];

/** Adds the 4 float32 lanes of v128 local `v` to the float64 on the stack. */
export const addLanesToF64 = (v: number): number[] =>
  [0, 1, 2, 3].flatMap((lane) => [...get(v), ...simd.extractLane(lane), op.f64PromoteF32, op.f64Add]);

export interface WasmFunction {
  name: string;
  params: number[];
  /** [count, type] runs of locals after the parameters. */
  locals: [number, number][];
  body: number[];
}

/** Pages a shared memory may grow to: 4 GiB, all that wasm32 addresses. */
export const SHARED_MEMORY_PAGES = 65536;

/**
 * A module importing `env.memory` (a shared memory of at most SHARED_MEMORY_PAGES when `shared`,
 * which threads can use at once) and exporting the functions (no results).
 */
export function assembleModule(functions: WasmFunction[], shared = false): Uint8Array<ArrayBuffer> {
  const limits = shared ? [0x03, 0x01, ...leb(SHARED_MEMORY_PAGES)] : [0x00, 0x01];
  const types = functions.flatMap((f) => [0x60, ...leb(f.params.length), ...f.params, 0]);
  const bodies = functions.map((f) => {
    const code = [...leb(f.locals.length), ...f.locals.flatMap(([count, type]) => [...leb(count), type]), ...f.body, op.end];
    return [...leb(code.length), ...code];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [...leb(functions.length), ...types]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...limits]),
    ...section(3, [...leb(functions.length), ...functions.map((_, i) => i)]),
    ...section(7, [...leb(functions.length), ...functions.flatMap((f, i) => [...name(f.name), 0x00, i])]),
    ...section(10, [...leb(functions.length), ...bodies.flat()]),
  ]);
}

const compiledModules = new Map<string, WebAssembly.Module>();

/**
 * The module of `functions()`, compiled once per `key` (a kernel name and the parameters its listing
 * depends on) and kind of memory.
 */
export function compiledModule(key: string, functions: () => WasmFunction[], shared = false): WebAssembly.Module {
  const id = shared ? `${key}/shared` : key;
  let module = compiledModules.get(id);
  if (!module) compiledModules.set(id, (module = new WebAssembly.Module(assembleModule(functions(), shared))));
  return module;
}

/** Grows `memory` so that it holds at least `bytes` (views made before a growth are detached). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}
