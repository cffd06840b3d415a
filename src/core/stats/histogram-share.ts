import type { Worker } from 'node:worker_threads';
import { closeSync, openSync } from 'node:fs';
import { CancelledError } from '../errors';
import { startWorkerThread } from '../worker-thread';
import { readFloatsAt } from './activation-spill';
import { createChannelStats, type ChannelStats } from './channel-stats';
import type { StatsKernels } from './stats-kernels';

/** Where one window's activation of a tap sits in its source. */
export interface SpillChunk {
  /** Byte offset. */
  at: number;
  /** Float count. */
  length: number;
}

/** One tap's histogram pass: its extremes and bin scales, and its chunks in the source. */
export interface TapCount {
  min: Float64Array;
  scales: Float64Array;
  bins: number;
  chunks: SpillChunk[];
}

/** Where the activations to count are: the spill file, or a shared buffer (the staged pass). */
export type ChunkSource = { path: string } | { store: SharedArrayBuffer };

/** Reads `length` floats at byte `at` of a source into the start of `into`; returns that view. */
export type ChunkReader = (into: Float32Array, length: number, at: number) => Float32Array;

/** A reader over a source, and what closes it. */
export function openChunkSource(source: ChunkSource): { read: ChunkReader; close: () => void } {
  if ('store' in source) {
    const read: ChunkReader = (into, length, at) => {
      into.set(new Float32Array(source.store, at, length));
      return into.subarray(0, length);
    };
    return { read, close: () => undefined };
  }
  const fd = openSync(source.path, 'r');
  return { read: (into, length, at) => readFloatsAt(fd, into, length, at), close: () => closeSync(fd) };
}

/** Reads one chunk of a tap into the kernels' memory and counts it into `stats.histogram`. */
export function countChunk(read: ChunkReader, kernels: StatsKernels, stats: ChannelStats, scales: Float64Array, chunk: SpillChunk): void {
  read(kernels.input(chunk.length, stats.min.length, stats.bins), chunk.length, chunk.at);
  kernels.count(stats, scales, chunk.length);
}

/** Counts a tap's chunks into a fresh histogram (K × bins) with `kernels`. */
export function countTap(read: ChunkReader, kernels: StatsKernels, tap: TapCount): Uint32Array {
  const K = tap.min.length;
  const stats: ChannelStats = { ...createChannelStats(K, tap.bins), min: tap.min, histogram: new Uint32Array(K * tap.bins) };
  for (const chunk of tap.chunks) countChunk(read, kernels, stats, tap.scales, chunk);
  return stats.histogram!;
}

/** Adds the worker's counts of a tap to this thread's. */
export function addCounts(into: Uint32Array, counts: Uint32Array): void {
  for (let i = 0; i < into.length; i++) into[i] += counts[i]!;
}

/** The worker's side: counts its taps from the source. */
export function countTaps(source: ChunkSource, taps: TapCount[], kernels: StatsKernels): Uint32Array[] {
  const { read, close } = openChunkSource(source);
  try {
    return taps.map((tap) => countTap(read, kernels, tap));
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
  private constructor(private readonly worker: Worker | undefined) {}

  /**
   * Starts the worker; with `withWorker` false, or when its script cannot be found, there is none and
   * this thread counts everything.
   */
  static start(withWorker = true): HistogramHelper {
    return new HistogramHelper(withWorker ? startWorkerThread(__dirname, 'histogram-worker') : undefined);
  }

  /**
   * Gives the worker the second half of every tap's chunks (counts add up, so the split changes no
   * histogram). Returns the chunks left to this thread, per tap, and a promise of the worker's
   * histograms, one per tap, to add to this thread's; all chunks and no promise without a worker.
   */
  share(source: ChunkSource, taps: TapCount[], signal?: AbortSignal): { mine: SpillChunk[][]; theirs?: Promise<Uint32Array[]> } {
    const worker = this.worker;
    if (!worker) return { mine: taps.map((t) => t.chunks) };
    const half = (t: TapCount) => Math.ceil(t.chunks.length / 2);
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
    worker.postMessage({ source, taps: taps.map((t) => ({ ...t, chunks: t.chunks.slice(half(t)) })) });
    return { mine: taps.map((t) => t.chunks.slice(0, half(t))), theirs: result };
  }

  stop(): void {
    void this.worker?.terminate();
  }
}
