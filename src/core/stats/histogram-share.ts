import type { Worker } from 'node:worker_threads';
import { closeSync, openSync } from 'node:fs';
import { CancelledError } from '../errors';
import { ensureMemory, SHARED_MEMORY_PAGES } from '../wasm-assembler';
import { startWorkerThread } from '../worker-thread';
import { readFloatsAt } from './activation-spill';
import { createChannelStats, type ChannelStats } from './channel-stats';
import { binScales, startHistogram } from './histogram';
import { kernelsEnd, StatsKernels, type KernelChunk } from './stats-kernels';

/** One tap's histogram pass: its extremes and bin scales, and its chunks (one per batch of windows) in the source. */
export interface TapCount {
  min: Float64Array;
  scales: Float64Array;
  bins: number;
  chunks: KernelChunk[];
}

/** Where the activations a worker counts are: the spill file. */
export type ChunkSource = { path: string };

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
 * Counts a tap's chunks into a fresh histogram (K × bins) with `kernels`, read in runs of
 * consecutive chunks (up to READ_BYTES, at least one) and counted in one sweep.
 */
export function countTap(kernels: StatsKernels, tap: TapCount, read: ChunkReader): Uint32Array {
  const K = tap.min.length;
  const stats: ChannelStats = { ...createChannelStats(K, tap.bins), min: tap.min, histogram: new Uint32Array(K * tap.bins) };
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
  const { read, close } = openSpillFile(source.path);
  try {
    return taps.map((tap) => countTap(kernels, tap, read));
  } finally {
    close();
  }
}

/** What the main thread asks of the worker (histogram-worker.ts). */
export type WorkerRequest = { source: ChunkSource; taps: TapCount[] } | StageJob;

/** Activations handed to the worker (transferred, not copied): it puts them at float `at` of its memory. Not answered. */
export interface WorkerWindow {
  window: Float32Array;
  at: number;
}

/** One tap of a stage for the worker: its channels and where its activations are in the worker's memory, window after window. */
export interface StageTap {
  channels: number;
  bins: number;
  chunks: KernelChunk[];
}

/** What is computed of a stage tap (`tap`: its index in the job): everything a ChannelStats holds but the counts of tokens and sequences. */
export type StageTapStats = Pick<ChannelStats, 'min' | 'max' | 'sumSquares' | 'histogram'> & { tap: number };

/**
 * A stage's statistics to take from the worker's memory (whose first `storeFloats` floats hold the
 * activations). Either thread takes the next tap not yet taken (`claims[0]`, atomically), so the
 * main thread can help instead of waiting.
 */
export interface StageJob {
  storeFloats: number;
  taps: StageTap[];
  claims: Int32Array;
}

/** A job's claim counter (`[0]`) and ready flag (`[1]`, set once the job's activations are in place), shared between the threads. */
export function newClaims(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

/** Index of the ready flag in a job's claims: the worker sets it to 1 when it starts the job. */
export const READY = 1;

/**
 * Min, max and Σx² of each tap this thread claims (its chunks in order, as a single thread would
 * sweep them), then its histogram, from the activations in the kernels' memory. `betweenTaps` runs
 * after each (the worker places the windows that arrived meanwhile).
 */
export function stageStats(job: StageJob, kernels: StatsKernels, betweenTaps?: () => void): StageTapStats[] {
  kernels.input(job.storeFloats, Math.max(...job.taps.map((t) => t.channels)), job.taps[0]?.bins ?? 1); // the kernels' vectors go after the store
  const done: StageTapStats[] = [];
  for (let i = Atomics.add(job.claims, 0, 1); i < job.taps.length; i = Atomics.add(job.claims, 0, 1)) {
    const tap = job.taps[i]!;
    const stats = createChannelStats(tap.channels, tap.bins);
    for (const { offset, length } of tap.chunks) kernels.reduce(stats, length, offset);
    startHistogram(stats);
    kernels.countChunks(stats, binScales(stats), tap.chunks);
    done.push({ tap: i, min: stats.min, max: stats.max, sumSquares: stats.sumSquares, histogram: stats.histogram });
    betweenTaps?.();
  }
  return done;
}

/**
 * One worker thread (histogram-worker.ts) for a statistics run: it counts the spill pass's second
 * half of the windows (`split`, `count`), or takes whole stages of the staged pass from its shared
 * memory (`reserveStore`, `place`, `stageStats`). It answers requests in order; `stop` ends it.
 */
export class HistogramHelper {
  /** The requests the worker has not answered yet, oldest first (it answers in order). */
  private readonly pending: { resolve: (result: never) => void; reject: (e: Error) => void }[] = [];
  /** Why every request failed (an abort, or the worker's crash); answers that still arrive are dropped. */
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker | undefined,
    /** The worker's kernels' memory, shared with this thread. */
    private readonly memory: WebAssembly.Memory | undefined,
    signal: AbortSignal | undefined,
  ) {
    worker?.on('message', (m: { result: never } | { error: string }) => {
      if (this.failure) return; // the answer to a request that has already failed
      const request = this.pending.shift()!;
      if ('error' in m) request.reject(new Error(m.error));
      else request.resolve(m.result);
    });
    worker?.on('error', (e) => this.failAll(e));
    signal?.addEventListener('abort', () => this.failAll(new CancelledError()), { once: true });
  }

  /**
   * Starts the worker; with `withWorker` false, or when its script cannot be found, there is none and
   * this thread counts everything. An abort rejects every pending count.
   */
  static start(withWorker = true, signal?: AbortSignal): HistogramHelper {
    if (!withWorker) return new HistogramHelper(undefined, undefined, signal);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MEMORY_PAGES, shared: true });
    const worker = startWorkerThread(__dirname, 'histogram-worker', { memory });
    return new HistogramHelper(worker, worker && memory, signal);
  }

  get hasWorker(): boolean {
    return this.worker !== undefined;
  }

  /** Grows the worker's kernels' memory to hold `floats` floats of activations (`place`) before anything else. */
  reserveStore(floats: number): void {
    ensureMemory(this.memory!, 4 * floats);
  }

  /** Has the worker take the statistics of the job's taps it claims (`stageStats`) after the requests before it. */
  stageStats(job: StageJob): Promise<StageTapStats[]> {
    return this.request<StageTapStats[]>(job);
  }

  /**
   * Hands `window` to the worker (its buffer is transferred: this thread can no longer read it),
   * which copies it to float `at` of its memory before it takes the requests after it (only where
   * it is not reading: stages alternate halves). The buffer must hold exactly the window's values.
   */
  place(window: Float32Array, at: number): void {
    this.worker!.postMessage({ window, at } satisfies WorkerWindow, [window.buffer as ArrayBuffer]);
  }

  /** Kernels for this thread over the worker's memory, their vectors above the worker's (for `stageStats` on a job the worker shares). */
  helperKernels(storeFloats: number, channels: number, bins: number): StatsKernels {
    const from = kernelsEnd(storeFloats, channels, bins);
    ensureMemory(this.memory!, kernelsEnd(from / 4, channels, bins)); // grown here, before the worker reads beyond the store
    return new StatsKernels(this.memory!, from);
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

  /** Has the worker count `taps` from `source` after the requests before it; resolves to its histograms, one per tap. */
  count(source: ChunkSource, taps: TapCount[]): Promise<Uint32Array[]> {
    return this.request<Uint32Array[]>({ source, taps });
  }

  private request<T>(message: WorkerRequest): Promise<T> {
    const result = new Promise<T>((resolve, reject) => this.pending.push({ resolve: resolve as (result: never) => void, reject }));
    result.catch(() => undefined); // awaited by the caller later; a failure meanwhile must not go unhandled
    if (this.failure) this.failAll(this.failure);
    else this.worker!.postMessage(message);
    return result;
  }

  stop(): void {
    void this.worker?.terminate();
  }

  private failAll(e: Error): void {
    this.failure ??= e;
    for (const request of this.pending.splice(0)) request.reject(this.failure);
  }
}
