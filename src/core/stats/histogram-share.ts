import type { Worker } from 'node:worker_threads';
import { closeSync, openSync } from 'node:fs';
import { CancelledError } from '../errors';
import { ensureMemory, SHARED_MEMORY_PAGES } from '../wasm-assembler';
import { startWorkerThread } from '../worker-thread';
import { readFloatsAt } from './activation-spill';
import { createChannelStats, type ChannelStats } from './channel-stats';
import type { KernelChunk, StatsKernels } from './stats-kernels';

/** One tap's histogram pass: its extremes and bin scales, and its chunks (one per batch of windows) in the source. */
export interface TapCount {
  min: Float64Array;
  scales: Float64Array;
  bins: number;
  chunks: KernelChunk[];
}

/**
 * Where the activations a worker counts are: the spill file, or the worker's kernels' memory
 * (`HistogramHelper.store`, where the staged pass copies the worker's share of the windows).
 */
export type ChunkSource = { path: string } | { inMemory: true };

/** Reads `length` floats at float `offset` of a source into the start of `into`; returns that view. */
export type ChunkReader = (into: Float32Array, length: number, offset: number) => Float32Array;

/** A reader over a spill file, and what closes it. */
export function openSpillFile(path: string): { read: ChunkReader; close: () => void } {
  const fd = openSync(path, 'r');
  return { read: (into, length, offset) => readFloatsAt(fd, into, length, 4 * offset), close: () => closeSync(fd) };
}

/** Reads one chunk of a tap into the kernels' memory and counts it into `stats.histogram`. */
export function countChunk(read: ChunkReader, kernels: StatsKernels, stats: ChannelStats, scales: Float64Array, chunk: KernelChunk): void {
  read(kernels.input(chunk.length, stats.min.length, stats.bins), chunk.length, chunk.offset);
  kernels.count(stats, scales, chunk.length);
}

/** Most activation bytes a worker reads into its kernels' memory before it counts them. */
const READ_BYTES = 64 * 2 ** 20;

/**
 * Counts a tap's chunks into a fresh histogram (K × bins) with `kernels`: in place when the chunks
 * are in the kernels' memory (no `read`), else read in runs of consecutive chunks (up to READ_BYTES,
 * at least one) and counted in one sweep.
 */
export function countTap(kernels: StatsKernels, tap: TapCount, read?: ChunkReader): Uint32Array {
  const K = tap.min.length;
  const stats: ChannelStats = { ...createChannelStats(K, tap.bins), min: tap.min, histogram: new Uint32Array(K * tap.bins) };
  if (!read) {
    kernels.countChunks(stats, tap.scales, tap.chunks);
    return stats.histogram!;
  }
  for (let i = 0; i < tap.chunks.length; ) {
    const batch: KernelChunk[] = [];
    let floats = 0;
    for (; i < tap.chunks.length && (batch.length === 0 || 4 * (floats + tap.chunks[i]!.length) <= READ_BYTES); i++) {
      const { offset, length } = tap.chunks[i]!;
      read(kernels.input(length, K, tap.bins, floats), length, offset);
      batch.push({ offset: floats, length });
      floats += length;
    }
    kernels.countChunks(stats, tap.scales, batch);
  }
  return stats.histogram!;
}

/** Adds the worker's counts of a tap to this thread's. */
export function addCounts(into: Uint32Array, counts: Uint32Array): void {
  for (let i = 0; i < into.length; i++) into[i] += counts[i]!;
}

/** The worker's side: counts its taps from the source. */
export function countTaps(source: ChunkSource, taps: TapCount[], kernels: StatsKernels): Uint32Array[] {
  if ('inMemory' in source) {
    // Every chunk stays where it is: the kernels' own vectors and histogram go after the last one.
    const end = Math.max(...taps.flatMap((t) => t.chunks.map((c) => c.offset + c.length)));
    kernels.input(end, Math.max(...taps.map((t) => t.min.length)), taps[0]?.bins ?? 1);
    return taps.map((tap) => countTap(kernels, tap));
  }
  const { read, close } = openSpillFile(source.path);
  try {
    return taps.map((tap) => countTap(kernels, tap, read));
  } finally {
    close();
  }
}

/**
 * Counts histograms on this thread and one worker thread (histogram-worker.ts) at once, each
 * taking half of every tap's chunks: the counts run while onnxruntime is idle, so the second core
 * is free. One worker serves every `share` of a run; `stop` ends it.
 */
export class HistogramHelper {
  private constructor(
    private readonly worker: Worker | undefined,
    /** The worker's kernels' memory, shared with this thread. */
    private readonly memory: WebAssembly.Memory | undefined,
  ) {}

  /**
   * Starts the worker; with `withWorker` false, or when its script cannot be found, there is none and
   * this thread counts everything.
   */
  static start(withWorker = true): HistogramHelper {
    if (!withWorker) return new HistogramHelper(undefined, undefined);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MEMORY_PAGES, shared: true });
    const worker = startWorkerThread(__dirname, 'histogram-worker', { memory });
    return new HistogramHelper(worker, worker && memory);
  }

  get hasWorker(): boolean {
    return this.worker !== undefined;
  }

  /**
   * The first `floats` floats of the worker's kernels' memory, to fill with chunks before
   * `count({ inMemory: true }, …)` (only while the worker is not counting).
   */
  store(floats: number): Float32Array {
    ensureMemory(this.memory!, 4 * floats);
    return new Float32Array(this.memory!.buffer, 0, floats);
  }

  /**
   * Splits every tap's chunks between the threads (counts add up, so the split changes no
   * histogram): the first half of the windows for this thread, the rest for the worker; all for
   * this thread, and no `theirs`, without a worker.
   */
  split(taps: TapCount[]): { mine: KernelChunk[][]; theirs?: TapCount[] } {
    if (!this.worker) return { mine: taps.map((t) => t.chunks) };
    const half = (t: TapCount) => Math.ceil(t.chunks.length / 2);
    return { mine: taps.map((t) => t.chunks.slice(0, half(t))), theirs: taps.map((t) => ({ ...t, chunks: t.chunks.slice(half(t)) })) };
  }

  /**
   * Has the worker count `taps` (`theirs` of a split) from `source`; resolves to its histograms,
   * one per tap, to add to this thread's.
   */
  count(source: ChunkSource, taps: TapCount[], signal?: AbortSignal): Promise<Uint32Array[]> {
    const worker = this.worker!;
    const result = new Promise<Uint32Array[]>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      const onAbort = () => reject(new CancelledError());
      worker.once('message', (m: { histograms: Uint32Array[] } | { error: string }) => {
        worker.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
        if ('error' in m) reject(new Error(m.error));
        else resolve(m.histograms);
      });
      worker.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    result.catch(() => undefined); // awaited by the caller after its own share
    worker.postMessage({ source, taps });
    return result;
  }

  stop(): void {
    void this.worker?.terminate();
  }
}
