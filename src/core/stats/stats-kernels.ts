// WebAssembly SIMD kernels for the calibration statistics (docs/calibration.md, "Speed" and "Kernel
// speed (third session)"): per-channel min, max and Σx² of rows of activations, and the histogram
// count. Both give bit-identical results to the plain loops: min/max in float32 (exact), Σx² in
// float64 channel by channel, row after row, and bins b = trunc((x − lo_k) · s_k) in float64.
// Third session (bench/stats-kernels.bench.ts: CPU ns per value, median of 5, K = 768 / 3072,
// 512 rows × 16 calls, 256 bins; before → after in the same 3 runs on the loaded 2-core VM):
// reduce 2.64–2.88 → 1.37–1.42 / 2.64–2.70 → 1.24–1.55 (tiles in v128 locals, order-key min/max);
// count 6.07–6.40 → 5.33–5.88 / 6.96–7.66 → 5.41–6.46 (blocked sweep, histogram block kept in L2).
// Count is bound by instructions: by ablation ~30–35% is the 4 scalar increments per 4 values and
// ~25–30% i32x4.trunc_sat_f64x2_s_zero (5 instructions per 2 lanes in V8 on x64).
import type { ChannelStats } from './channel-stats';
import type { WasmFunction } from '../wasm-assembler';
import { compiledModule, ensureMemory, get, I32, i32, i32Load, op, set, simd, tee, V128 } from '../wasm-assembler';

/** [block, loop] … [end, end] around a loop that `br 0` repeats and `br_if 1` leaves. */
const loop = (body: number[]): number[] => [...op.block, ...op.loop, ...body, op.br, 0, op.end, op.end];
/** local += step (i32). */
const advance = (local: number, step: number | number[]): number[] =>
  [...get(local), ...(typeof step === 'number' ? i32(step) : step), op.i32Add, ...set(local)];

/**
 * The float32 bits of v128 local `v` as i32x4 keys ordered like the floats, −0 before +0 (the order
 * f32x4.min/max use): negative floats get their magnitude bits flipped. The map is its own inverse.
 * i32x4.min_s/max_s on keys are one instruction each; f32x4.min/max cost V8 7–8 for their NaN and
 * ±0 rules (NaN is handled after the kernel: a NaN makes the channel's Σx² NaN).
 */
const orderKey = (v: number): number[] => [...get(v), ...get(v), ...i32(31), ...simd.i32x4ShrS(), ...i32(1), ...simd.i32x4ShrU(), ...simd.xor()];

/**
 * reduce<4V>(data, tiles, rows, rowBytes, mins, maxs, sums): for each of `tiles` tiles of 4V channels
 * (one after the other from `data`, `mins`, `maxs`, `sums`), over `rows` rows of `rowBytes` bytes:
 * mins = min(mins, x), maxs = max(maxs, x) (float32, compared as order keys) and sums += x²
 * (float64, channel k at sums + 8k). A tile's running state stays in v128 locals for all rows
 * (loaded and stored once per call).
 * Locals: 7 ptr, 8 end, then v128: V mins, V maxs (as keys), 2V sums, x, y.
 */
function reduceKernel(V: number): WasmFunction {
  const mn = (v: number) => 9 + v;
  const mx = (v: number) => 9 + V + v;
  const sum = (h: number) => 9 + 2 * V + h;
  const [x, y] = [9 + 4 * V, 10 + 4 * V];
  const each = (f: (v: number) => number[]) => Array.from({ length: V }, (_, v) => f(v)).flat();
  const square = (half: number) => [...simd.f64x2PromoteLow(), ...tee(y), ...get(y), ...simd.f64x2Mul(), ...simd.f64x2Add(), ...set(sum(half))];
  const loadKey = (ptr: number, at: number, local: number) => [...get(ptr), ...simd.load(at), ...set(local), ...orderKey(local), ...set(local)];
  const storeKey = (ptr: number, at: number, local: number) => [...get(ptr), ...orderKey(local), ...simd.store(at)];
  return {
    name: `reduce${4 * V}`,
    params: [I32, I32, I32, I32, I32, I32, I32],
    locals: [[2, I32], [4 * V + 2, V128]],
    body: loop([
      ...get(1), ...i32(0), op.i32LeS, op.brIf, 1,
      ...each((v) => [
        ...loadKey(4, 16 * v, mn(v)),
        ...loadKey(5, 16 * v, mx(v)),
        ...get(6), ...simd.load(32 * v), ...set(sum(2 * v)),
        ...get(6), ...simd.load(32 * v + 16), ...set(sum(2 * v + 1)),
      ]),
      ...get(0), ...set(7),
      ...get(0), ...get(2), ...get(3), op.i32Mul, op.i32Add, ...set(8),
      ...loop([
        ...get(7), ...get(8), op.i32GeU, op.brIf, 1,
        ...each((v) => [
          ...get(7), ...simd.load(16 * v), ...set(x),
          ...get(sum(2 * v)), ...get(x), ...square(2 * v),
          ...get(sum(2 * v + 1)), ...get(7), ...simd.load(16 * v + 8), ...square(2 * v + 1),
          ...orderKey(x), ...set(x),
          ...get(mn(v)), ...get(x), ...simd.i32x4MinS(), ...set(mn(v)),
          ...get(mx(v)), ...get(x), ...simd.i32x4MaxS(), ...set(mx(v)),
        ]),
        ...advance(7, get(3)),
      ]),
      ...each((v) => [
        ...storeKey(4, 16 * v, mn(v)),
        ...storeKey(5, 16 * v, mx(v)),
        ...get(6), ...get(sum(2 * v)), ...simd.store(32 * v),
        ...get(6), ...get(sum(2 * v + 1)), ...simd.store(32 * v + 16),
      ]),
      ...advance(0, 16 * V), ...advance(4, 16 * V), ...advance(5, 16 * V), ...advance(6, 32 * V),
      ...advance(1, -1),
    ]),
  };
}

/**
 * count<4G>(data, groups, rows, rowBytes, last, lo, scale, bases, lanes): for each of `groups` groups
 * of 4G channels and each row, b = min(trunc((x − lo_k) · scale_k), last) in float64 and the u32 at
 * bases_k + 4b += 1 (bases_k: the byte address of channel k's histogram row). A group's lo, scale and
 * bases stay in v128 locals for all rows. The 4 addresses of a vector go through the 16 bytes at
 * `lanes` (a store and 4 loads: cheaper in V8 than 4 lane extractions).
 * Locals: 9 ptr, 10 end, 11 addr, then v128: 12 last, 13… lo, scale (2 each) and bases per vector.
 */
function countKernel(G: number): WasmFunction {
  const lo = (g: number, half: number) => 13 + 5 * g + half;
  const scale = (g: number, half: number) => 15 + 5 * g + half;
  const base = (g: number) => 17 + 5 * g;
  const each = (f: (g: number) => number[]) => Array.from({ length: G }, (_, g) => f(g)).flat();
  const bins4 = (g: number) => [
    ...[0, 1].flatMap((h) => [
      ...get(9), ...simd.load(16 * g + 8 * h), ...simd.f64x2PromoteLow(),
      ...get(lo(g, h)), ...simd.f64x2Sub(), ...get(scale(g, h)), ...simd.f64x2Mul(),
      ...simd.i32x4TruncSatF64x2Zero(),
    ]),
    ...simd.i8x16Shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]),
    ...get(12), ...simd.i32x4MinS(),
  ];
  const bump = (lane: number) => [
    ...get(8), ...i32Load(4 * lane), ...tee(11), ...get(11), ...i32Load(0), ...i32(1), op.i32Add, ...op.i32Store,
  ];
  return {
    name: `count${4 * G}`,
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [[3, I32], [1 + 5 * G, V128]],
    body: [
      ...get(4), ...simd.i32x4Splat(), ...set(12),
      ...loop([
        ...get(1), ...i32(0), op.i32LeS, op.brIf, 1,
        ...each((g) => [
          ...[0, 1].flatMap((half) => [
            ...get(5), ...simd.load(32 * g + 16 * half), ...set(lo(g, half)),
            ...get(6), ...simd.load(32 * g + 16 * half), ...set(scale(g, half)),
          ]),
          ...get(7), ...simd.load(16 * g), ...set(base(g)),
        ]),
        ...get(0), ...set(9),
        ...get(0), ...get(2), ...get(3), op.i32Mul, op.i32Add, ...set(10),
        ...loop([
          ...get(9), ...get(10), op.i32GeU, op.brIf, 1,
          ...each((g) => [
            ...get(8), ...bins4(g), ...i32(2), ...simd.i32x4Shl(), ...get(base(g)), ...simd.i32x4Add(), ...simd.store(),
            ...[0, 1, 2, 3].flatMap(bump),
          ]),
          ...advance(9, get(3)),
        ]),
        ...advance(0, 16 * G), ...advance(5, 32 * G), ...advance(6, 32 * G), ...advance(7, 16 * G),
        ...advance(1, -1),
      ]),
    ],
  };
}

/** Channels per group of the wide count kernel and per tile of the wide reduce kernel; the rest go 4 at a time. */
const WIDE = 16;
const TILE = 8;
/**
 * The sweeps go through a call in blocks of CHUNK rows (a few pages that the hardware prefetchers
 * follow, column strip after column strip) and count through BLOCK channels at a time (their
 * histograms, 1 KB each at 256 bins, stay in L2). Sweeping all rows of a strip at once was 2–3×
 * slower at K = 3072 (a 12 KB stride: every row a new page, no prefetch).
 */
const CHUNK = 16;
const BLOCK = 256;
const KERNELS = [reduceKernel(TILE / 4), reduceKernel(1), countKernel(WIDE / 4), countKernel(1)];
type Reduce = (data: number, tiles: number, rows: number, rowBytes: number, mins: number, maxs: number, sums: number) => void;
type Count = (data: number, groups: number, rows: number, rowBytes: number, last: number, lo: number, scale: number, bases: number, lanes: number) => void;

/** A stretch of whole rows in the kernels' input area: `offset` and `length` in floats. */
export interface KernelChunk {
  offset: number;
  length: number;
}

/**
 * Byte layout of the kernels' memory: the activations, then one channel vector or histogram of each
 * kind; each vector has room for K rounded up to 4 (count pads the last group: lo = scale = 0 puts
 * a padding lane in bin 0 of `scratch`, whatever the bytes it reads past the row).
 */
interface Layout {
  data: number;
  mins: number;
  maxs: number;
  sums: number;
  lo: number;
  scale: number;
  bases: number;
  scratch: number;
  lanes: number;
  histogram: number;
  end: number;
}

function layout(dataFloats: number, channels: number, cells: number, scratchFrom = 0): Layout {
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const padded = channels + 4;
  const data = 0;
  const mins = align(Math.max(data + 4 * dataFloats + 16, scratchFrom));
  const maxs = align(mins + 4 * padded);
  const sums = align(maxs + 4 * padded);
  const lo = align(sums + 8 * padded);
  const scale = align(lo + 8 * padded);
  const bases = align(scale + 8 * padded);
  const scratch = align(bases + 4 * padded);
  const lanes = scratch + 16;
  const histogram = lanes + 16;
  return { data, mins, maxs, sums, lo, scale, bases, scratch, lanes, histogram, end: histogram + 4 * cells };
}

/** Where the vectors and histogram of kernels over `dataFloats` activations of up to `channels` channels end, in bytes. */
export function kernelsEnd(dataFloats: number, channels: number, bins: number): number {
  return layout(dataFloats, channels, channels * bins).end;
}

/**
 * The statistics sweeps of one activation at a time, in WebAssembly memory sized for the largest
 * (rows × K) seen so far. `input(n)` gives a view to fill (the spill reads straight into it);
 * `reduce` and `count` then update a ChannelStats, copying its small per-channel state in and out.
 */
export class StatsKernels {
  private at: Layout = layout(0, 0, 0);
  /** What the layout holds: activation floats, channels, histogram cells. */
  private capacity = { floats: 0, channels: 0, cells: 0 };
  private readonly run: { reduceWide: Reduce; reduce4: Reduce; countWide: Count; count4: Count };

  /**
   * Kernels over their own memory, or over `memory` (a shared memory of SHARED_MEMORY_PAGES at most
   * that another thread fills: the staged pass hands a worker its activations that way).
   */
  constructor(
    private readonly memory = new WebAssembly.Memory({ initial: 1 }),
    /** Byte offset from which these kernels keep their vectors and histogram (another thread's kernels may use what is below). */
    private readonly scratchFrom = 0,
  ) {
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const { exports } = new WebAssembly.Instance(compiledModule('stats', () => KERNELS, shared), { env: { memory } });
    const [reduceWide, reduce4, countWide, count4] = KERNELS.map((f) => exports[f.name]) as [Reduce, Reduce, Count, Count];
    this.run = { reduceWide, reduce4, countWide, count4 };
  }

  /**
   * A view of `floats` activation values, `offset` floats into the input area, to fill before
   * `reduce`/`count` (valid until a call grows the memory; the area keeps its contents when it grows).
   */
  input(floats: number, channels: number, bins: number, offset = 0): Float32Array {
    this.reserve(offset + floats, channels, bins);
    return new Float32Array(this.memory.buffer, this.at.data + 4 * offset, floats);
  }

  /** min, max and Σx² of the rows in the input view at `offset` (`floats` values, K = the stats' channels). */
  reduce(stats: ChannelStats, floats: number, offset = 0): void {
    const K = stats.min.length;
    const rows = floats / K;
    const at = this.at;
    const buffer = this.memory.buffer;
    const mins = new Float32Array(buffer, at.mins, K);
    const maxs = new Float32Array(buffer, at.maxs, K);
    const sums = new Float64Array(buffer, at.sums, K);
    mins.set(stats.min);
    maxs.set(stats.max);
    sums.set(stats.sumSquares);
    const data = at.data + 4 * offset;
    const wide = Math.floor(K / TILE);
    const fours = (K % TILE) >> 2;
    const k0 = wide * TILE;
    for (let r = 0; r < rows; r += CHUNK) {
      const [chunk, from] = [Math.min(CHUNK, rows - r), data + 4 * K * r];
      this.run.reduceWide(from, wide, chunk, 4 * K, at.mins, at.maxs, at.sums);
      this.run.reduce4(from + 4 * k0, fours, chunk, 4 * K, at.mins + 4 * k0, at.maxs + 4 * k0, at.sums + 8 * k0);
    }
    for (let k = 0; k < (K & ~3); k++) if (Number.isNaN(sums[k])) mins[k] = maxs[k] = NaN;
    const values = new Float32Array(buffer, data, floats);
    for (let k = K & ~3; k < K; k++) {
      for (let i = k; i < floats; i += K) {
        const x = values[i]!;
        if (x < mins[k]!) mins[k] = x;
        if (x > maxs[k]!) maxs[k] = x;
        sums[k] += x * x;
      }
    }
    stats.min.set(mins);
    stats.max.set(maxs);
    stats.sumSquares.set(sums);
  }

  /** Counts the rows in the input view at `offset` into the stats' histogram (`scales` from binScales). */
  count(stats: ChannelStats, scales: Float64Array, floats: number, offset = 0): void {
    this.countChunks(stats, scales, [{ offset, length: floats }]);
  }

  /**
   * Counts several stretches of rows of the input area (`offset`, `length` in floats) into the
   * stats' histogram: block of channels after block, every stretch per block, so that each block of
   * the histogram is copied in and out of the kernels' memory once per call.
   */
  countChunks(stats: ChannelStats, scales: Float64Array, chunks: readonly KernelChunk[]): void {
    const { min, bins } = stats;
    const histogram = stats.histogram!;
    const K = min.length;
    const groups = Math.ceil(K / 4);
    const at = this.at;
    const buffer = this.memory.buffer;
    new Float64Array(buffer, at.lo, 4 * groups).fill(0).set(min);
    new Float64Array(buffer, at.scale, 4 * groups).fill(0).set(scales);
    const bases = new Int32Array(buffer, at.bases, 4 * groups).fill(at.scratch);
    for (let k = 0; k < K; k++) bases[k] = at.histogram + 4 * k * bins;
    const counts = new Uint32Array(buffer, at.histogram, K * bins);
    const rowBytes = 4 * K;
    const last = bins - 1;
    for (let c0 = 0; c0 < K; c0 += BLOCK) {
      const c1 = Math.min(K, c0 + BLOCK);
      const wide = Math.floor((c1 - c0) / WIDE);
      const k1 = c0 + wide * WIDE;
      const narrow = Math.ceil((c1 - k1) / 4);
      counts.set(histogram.subarray(c0 * bins, c1 * bins), c0 * bins); // block by block: it stays in L2 for the sweep
      for (const { offset, length } of chunks) {
        const [data, rows] = [at.data + 4 * offset, length / K];
        for (let r = 0; r < rows; r += CHUNK) {
          const [chunk, from] = [Math.min(CHUNK, rows - r), data + rowBytes * r];
          this.run.countWide(from + 4 * c0, wide, chunk, rowBytes, last, at.lo + 8 * c0, at.scale + 8 * c0, at.bases + 4 * c0, at.lanes);
          this.run.count4(from + 4 * k1, narrow, chunk, rowBytes, last, at.lo + 8 * k1, at.scale + 8 * k1, at.bases + 4 * k1, at.lanes);
        }
      }
      histogram.set(counts.subarray(c0 * bins, c1 * bins), c0 * bins);
    }
  }

  private reserve(floats: number, channels: number, bins: number): void {
    const c = this.capacity;
    if (floats <= c.floats && channels <= c.channels && channels * bins <= c.cells) return;
    this.capacity = { floats: Math.max(floats, c.floats), channels: Math.max(channels, c.channels), cells: Math.max(channels * bins, c.cells) };
    this.at = layout(this.capacity.floats, this.capacity.channels, this.capacity.cells, this.scratchFrom);
    ensureMemory(this.memory, this.at.end);
  }
}
