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
 * Counts histograms on this thread and one worker thread (histogram-worker.ts) at once: the
 * histogram counts run while onnxruntime is idle, so the second core is free. One worker serves
 * every `share` of a run; `stop` ends it.
 */
export class HistogramHelper {
  private constructor(private readonly worker: Worker | undefined) {}

  /** Starts the worker (none when its script cannot be found: this thread then counts everything). */
  static start(): HistogramHelper {
    return new HistogramHelper(startWorkerThread(__dirname, 'histogram-worker'));
  }

  /**
   * Splits the taps between this thread and the worker, balanced by channels. Returns the taps left
   * to this thread and a promise of the worker's histograms (by tap index), or every tap and no
   * promise when there is no worker or only one tap.
   */
  share(source: ChunkSource, taps: TapCount[], signal?: AbortSignal): { mine: number[]; theirs?: Promise<Map<number, Uint32Array>> } {
    const worker = this.worker;
    if (!worker || taps.length < 2) return { mine: taps.map((_, i) => i) };
    const order = taps.map((_, i) => i).sort((a, b) => taps[b]!.min.length - taps[a]!.min.length);
    const load = [0, 0];
    const sides: number[][] = [[], []];
    for (const i of order) {
      const side = load[0]! <= load[1]! ? 0 : 1;
      sides[side]!.push(i);
      load[side] += taps[i]!.min.length;
    }
    const theirs = sides[1]!;
    const result = new Promise<Map<number, Uint32Array>>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      const onAbort = () => reject(new CancelledError());
      worker.once('message', (m: { histograms: Uint32Array[] } | { error: string }) => {
        worker.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
        if ('error' in m) reject(new Error(m.error));
        else resolve(new Map(theirs.map((t, j) => [t, m.histograms[j]!])));
      });
      worker.once('error', onError);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    result.catch(() => undefined); // awaited by the caller after its own share
    worker.postMessage({ source, taps: theirs.map((i) => taps[i]!) });
    return { mine: sides[0]!.sort((a, b) => a - b), theirs: result };
  }

  stop(): void {
    void this.worker?.terminate();
  }
}
