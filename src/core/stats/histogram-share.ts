import type { Worker } from 'node:worker_threads';
import { closeSync, openSync } from 'node:fs';
import { CancelledError } from '../errors';
import { startWorkerThread } from '../worker-thread';
import { readFloatsAt } from './activation-spill';
import { createChannelStats, type ChannelStats } from './channel-stats';
import type { StatsKernels } from './stats-kernels';

/** Where one window's activation of a tap sits in the spill file. */
export interface SpillChunk {
  /** Byte offset. */
  at: number;
  /** Float count. */
  length: number;
}

/** One tap's histogram pass: its extremes and bin scales, and its chunks in the spill file. */
export interface TapCount {
  min: Float64Array;
  scales: Float64Array;
  bins: number;
  chunks: SpillChunk[];
}

/** Reads one spilled activation of a tap into the kernels' memory and counts it into `stats.histogram`. */
export function countChunk(fd: number, kernels: StatsKernels, stats: ChannelStats, scales: Float64Array, chunk: SpillChunk): void {
  readFloatsAt(fd, kernels.input(chunk.length, stats.min.length, stats.bins), chunk.length, chunk.at);
  kernels.count(stats, scales, chunk.length);
}

/** Counts a tap's spilled activations into a fresh histogram (K × bins) with `kernels`. */
export function countTap(fd: number, kernels: StatsKernels, tap: TapCount): Uint32Array {
  const K = tap.min.length;
  const stats: ChannelStats = { ...createChannelStats(K, tap.bins), min: tap.min, histogram: new Uint32Array(K * tap.bins) };
  for (const chunk of tap.chunks) countChunk(fd, kernels, stats, tap.scales, chunk);
  return stats.histogram!;
}

/**
 * Splits the taps between this thread and one worker thread (histogram-worker.ts), balanced by
 * channels: the histogram pass reads the spill file after the forward passes, when the other core
 * is idle. Returns the taps left to this thread and a promise of the worker's histograms (by tap
 * index), or every tap and no promise when no worker can start.
 */
export function shareHistograms(path: string, taps: TapCount[], signal?: AbortSignal): { mine: number[]; theirs?: Promise<Map<number, Uint32Array>>; stop: () => void } {
  const order = taps.map((_, i) => i).sort((a, b) => taps[b]!.min.length - taps[a]!.min.length);
  const load = [0, 0];
  const sides: number[][] = [[], []];
  for (const i of order) {
    const side = load[0]! <= load[1]! ? 0 : 1;
    sides[side]!.push(i);
    load[side] += taps[i]!.min.length;
  }
  const worker = taps.length > 1 ? startWorkerThread(__dirname, 'histogram-worker') : undefined;
  if (!worker) return { mine: taps.map((_, i) => i), stop: () => undefined };
  const theirs = sides[1]!;
  const result = new Promise<Map<number, Uint32Array>>((resolve, reject) => {
    worker.once('message', (m: { histograms: Uint32Array[] } | { error: string }) => ('error' in m ? reject(new Error(m.error)) : resolve(new Map(theirs.map((t, j) => [t, m.histograms[j]!])))));
    worker.once('error', reject);
    signal?.addEventListener('abort', () => reject(new CancelledError()), { once: true });
  });
  result.catch(() => undefined); // awaited by the caller after its own share
  worker.postMessage({ path, taps: theirs.map((i) => taps[i]!) });
  return { mine: sides[0]!.sort((a, b) => a - b), theirs: result, stop: () => void (worker as Worker).terminate() };
}

/** The worker's side: opens the spill file read-only and counts its taps. */
export function countTaps(path: string, taps: TapCount[], kernels: StatsKernels): Uint32Array[] {
  const fd = openSync(path, 'r');
  try {
    return taps.map((tap) => countTap(fd, kernels, tap));
  } finally {
    closeSync(fd);
  }
}
