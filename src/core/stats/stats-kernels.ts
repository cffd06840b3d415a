// WebAssembly SIMD kernels for the calibration statistics (docs/calibration.md, "Speed"): per-channel
// min, max and Σx² of rows of activations, and the histogram count. Plain JS took 5–9 ns per value
// for each sweep on this project's 2-core VM; see the measurement there.
// Both kernels give bit-identical results to the plain loops: min/max in float32 (exact), Σx² in
// float64 channel by channel, row after row, and bins b = trunc((x − lo_k) · s_k) in float64.
import type { ChannelStats } from './channel-stats';
import type { WasmFunction } from '../wasm-assembler';
import { assembleModule, ensureMemory, get, I32, i32, op, set, simd, tee, V128 } from '../wasm-assembler';

/**
 * reduce(data, rows, rowBytes, width, mins, maxs, sums): for each of `rows` rows of `rowBytes` bytes
 * at `data`, the first `width` bytes (4 channels per step): mins = min(mins, x), maxs = max(maxs, x)
 * (float32), sums += x² (float64, channel k at sums + 8k).
 * Locals: 7 row, 8 j (byte offset in the row), 9 x, 10 lo (x's channels 0,1 as f64), 11 hi (2,3).
 */
const reduce: WasmFunction = {
  name: 'reduce',
  params: [I32, I32, I32, I32, I32, I32, I32],
  locals: [[2, I32], [3, V128]],
  body: [
    ...get(0), ...set(7),
    ...op.block, ...op.loop,
    ...get(1), ...i32(0), op.i32LeS, op.brIf, 1,
    ...i32(0), ...set(8),
    ...op.block, ...op.loop,
    ...get(8), ...get(3), op.i32GeU, op.brIf, 1,
    ...get(7), ...get(8), op.i32Add, ...simd.load(), ...set(9),
    ...get(7), ...get(8), op.i32Add, ...simd.load(8), ...simd.f64x2PromoteLow(), ...set(11),
    ...get(9), ...simd.f64x2PromoteLow(), ...set(10),
    // mins[j] = min(mins[j], x); maxs[j] = max(maxs[j], x)
    ...get(4), ...get(8), op.i32Add,
    ...get(4), ...get(8), op.i32Add, ...simd.load(), ...get(9), ...simd.min(), ...simd.store(),
    ...get(5), ...get(8), op.i32Add,
    ...get(5), ...get(8), op.i32Add, ...simd.load(), ...get(9), ...simd.max(), ...simd.store(),
    // sums[2j .. 2j+31] += (lo², hi²)
    ...get(6), ...get(8), op.i32Add, ...get(8), op.i32Add,
    ...get(6), ...get(8), op.i32Add, ...get(8), op.i32Add, ...simd.load(), ...get(10), ...get(10), ...simd.f64x2Mul(), ...simd.f64x2Add(), ...simd.store(),
    ...get(6), ...get(8), op.i32Add, ...get(8), op.i32Add,
    ...get(6), ...get(8), op.i32Add, ...get(8), op.i32Add, ...simd.load(16), ...get(11), ...get(11), ...simd.f64x2Mul(), ...simd.f64x2Add(), ...simd.store(16),
    ...get(8), ...i32(16), op.i32Add, ...set(8),
    op.br, 0,
    op.end, op.end,
    ...get(7), ...get(2), op.i32Add, ...set(7),
    ...get(1), ...i32(1), op.i32Sub, ...set(1),
    op.br, 0,
    op.end, op.end,
  ],
};

/** Adds 1 to the u32 at (histogram row `rowLocal`) + 4 · (lane `lane` of v128 local `bins`). */
const bump = (rowLocal: number, binsLocal: number, lane: number, addr: number): number[] => [
  ...get(rowLocal), ...get(binsLocal), ...simd.i32x4ExtractLane(lane), ...i32(2), op.i32Shl, op.i32Add, ...tee(addr),
  ...get(addr), ...op.i32Load, ...i32(1), op.i32Add, ...op.i32Store,
];

/**
 * count(data, rows, rowBytes, channelPairs, bins, lo, scale, histogram): for channels 2p, 2p+1
 * (p < channelPairs) and each row, b = min(trunc((x − lo_k) · scale_k), bins − 1) in float64 and
 * histogram[k · bins + b] += 1. Rows are swept in chunks of 32 so a chunk stays in cache while its
 * channels are counted (docs/calibration.md).
 * Locals: 8 r0, 9 rEnd, 10 p, 11 ptr, 12 end, 13 row0 (histogram row of 2p, bytes), 14 row1,
 * 15 addr, 16 lo, 17 scale, 18 last (i32x4), 19 b.
 */
const CHUNK = 32;
const count: WasmFunction = {
  name: 'count',
  params: [I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [[8, I32], [4, V128]],
  body: [
    ...get(4), ...i32(1), op.i32Sub, ...simd.i32x4Splat(), ...set(18),
    ...i32(0), ...set(8),
    ...op.block, ...op.loop,
    ...get(8), ...get(1), op.i32GeU, op.brIf, 1,
    // rEnd = min(r0 + CHUNK, rows)
    ...get(8), ...i32(CHUNK), op.i32Add, ...tee(9), ...get(1), ...get(9), ...get(1), op.i32LtU, op.select, ...set(9),
    ...i32(0), ...set(10),
    ...op.block, ...op.loop,
    ...get(10), ...get(3), op.i32GeU, op.brIf, 1,
    ...get(5), ...get(10), ...i32(4), op.i32Shl, op.i32Add, ...simd.load(), ...set(16),
    ...get(6), ...get(10), ...i32(4), op.i32Shl, op.i32Add, ...simd.load(), ...set(17),
    ...get(7), ...get(10), ...i32(1), op.i32Shl, ...get(4), op.i32Mul, ...i32(2), op.i32Shl, op.i32Add, ...tee(13), ...get(4), ...i32(2), op.i32Shl, op.i32Add, ...set(14),
    // ptr = data + r0 · rowBytes + 8p; end = data + rEnd · rowBytes
    ...get(0), ...get(8), ...get(2), op.i32Mul, op.i32Add, ...get(10), ...i32(3), op.i32Shl, op.i32Add, ...set(11),
    ...get(0), ...get(9), ...get(2), op.i32Mul, op.i32Add, ...set(12),
    ...op.block, ...op.loop,
    ...get(11), ...get(12), op.i32GeU, op.brIf, 1,
    ...get(11), ...simd.load(), ...simd.f64x2PromoteLow(), ...get(16), ...simd.f64x2Sub(), ...get(17), ...simd.f64x2Mul(),
    ...simd.i32x4TruncSatF64x2Zero(), ...get(18), ...simd.i32x4MinS(), ...set(19),
    ...bump(13, 19, 0, 15),
    ...bump(14, 19, 1, 15),
    ...get(11), ...get(2), op.i32Add, ...set(11),
    op.br, 0,
    op.end, op.end,
    ...get(10), ...i32(1), op.i32Add, ...set(10),
    op.br, 0,
    op.end, op.end,
    ...get(9), ...set(8),
    op.br, 0,
    op.end, op.end,
  ],
};

let module: WebAssembly.Module | undefined;

type Reduce = (data: number, rows: number, rowBytes: number, width: number, mins: number, maxs: number, sums: number) => void;
type Count = (data: number, rows: number, rowBytes: number, pairs: number, bins: number, lo: number, scale: number, histogram: number) => void;

/** Byte layout of the kernels' memory: the activations, then one channel vector or histogram of each kind. */
interface Layout {
  data: number;
  mins: number;
  maxs: number;
  sums: number;
  lo: number;
  scale: number;
  histogram: number;
  end: number;
}

function layout(dataFloats: number, channels: number, cells: number): Layout {
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const data = 0;
  const mins = align(data + 4 * dataFloats + 16);
  const maxs = align(mins + 4 * channels + 16);
  const sums = align(maxs + 4 * channels + 16);
  const lo = align(sums + 8 * channels + 32);
  const scale = align(lo + 8 * channels + 16);
  const histogram = align(scale + 8 * channels + 16);
  return { data, mins, maxs, sums, lo, scale, histogram, end: histogram + 4 * cells };
}

/**
 * The statistics sweeps of one activation at a time, in WebAssembly memory sized for the largest
 * (rows × K) seen so far. `input(n)` gives a view to fill (the spill reads straight into it);
 * `reduce` and `count` then update a ChannelStats, copying its small per-channel state in and out.
 */
export class StatsKernels {
  private memory = new WebAssembly.Memory({ initial: 1 });
  private at: Layout = layout(0, 0, 0);
  /** What the layout holds: activation floats, channels, histogram cells. */
  private capacity = { floats: 0, channels: 0, cells: 0 };
  private readonly run: { reduce: Reduce; count: Count };

  constructor() {
    module ??= new WebAssembly.Module(assembleModule([reduce, count]));
    const { exports } = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.run = { reduce: exports.reduce as Reduce, count: exports.count as Count };
  }

  /**
   * A view of `floats` activation values, `offset` floats into the input area, to fill before
   * `reduce`/`count` (valid until the next call; the area keeps its contents while it does not grow).
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
    const vectorChannels = K & ~3;
    this.run.reduce(at.data + 4 * offset, rows, 4 * K, 4 * vectorChannels, at.mins, at.maxs, at.sums);
    const data = new Float32Array(buffer, at.data + 4 * offset, floats);
    for (let k = vectorChannels; k < K; k++) {
      for (let i = k; i < floats; i += K) {
        const x = data[i]!;
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
    const { min, bins } = stats;
    const histogram = stats.histogram!;
    const K = min.length;
    const at = this.at;
    const buffer = this.memory.buffer;
    new Float64Array(buffer, at.lo, K).set(min);
    new Float64Array(buffer, at.scale, K).set(scales);
    const counts = new Uint32Array(buffer, at.histogram, K * bins);
    counts.set(histogram);
    const pairs = K >> 1;
    this.run.count(at.data + 4 * offset, floats / K, 4 * K, pairs, bins, at.lo, at.scale, at.histogram);
    if (K % 2 === 1) {
      const k = K - 1;
      const data = new Float32Array(buffer, at.data + 4 * offset, floats);
      for (let i = k; i < floats; i += K) counts[k * bins + Math.min(bins - 1, Math.trunc((data[i]! - min[k]!) * scales[k]!))]++;
    }
    histogram.set(counts);
  }

  private reserve(floats: number, channels: number, bins: number): void {
    const c = this.capacity;
    if (floats <= c.floats && channels <= c.channels && channels * bins <= c.cells) return;
    this.capacity = { floats: Math.max(floats, c.floats), channels: Math.max(channels, c.channels), cells: Math.max(channels * bins, c.cells) };
    this.at = layout(this.capacity.floats, this.capacity.channels, this.capacity.cells);
    ensureMemory(this.memory, this.at.end);
  }
}
