import * as ort from 'onnxruntime-node';
import type { ValueInfoProto } from 'onnx-buf';
import { throwIfAborted } from '../errors';
import { windowBatch } from '../calib/sampling';
import { feedsFor, openSession } from '../calib/model-session';
import { dataTypeOfOrtType } from '../onnx/dtype';
import { makeFeeds } from '../onnx/model-inputs';
import { valueInfo } from '../onnx/proto-build';
import { binScales, startHistogram } from './histogram';
import type { ChannelStats } from './channel-stats';
import { HistogramHelper, newClaims, READY, stageStats, type StageJob, type StageTapStats } from './histogram-share';
import { stageModel, type CalibrationStage } from './stage-plan';
import type { KernelChunk, StatsKernels } from './stats-kernels';
import { kernelCopy, tapData, type StatsRun } from './stats-run';

/** Default memory for one stage's activations: one GPT-2-small block over 16 × 512 tokens is 176 MB. */
export const DEFAULT_STAGE_BYTES = 256 * 2 ** 20;

/** Below this many values in a stage, one thread counts its histograms (a worker costs more to start). */
const SHARED_COUNT_VALUES = 4 * 2 ** 20;

/**
 * Most bytes of activations one thread's kernels' memory holds: wasm32 memory ends at 4 GiB, and
 * the kernels keep their vectors and histograms after the activations.
 */
const MAX_STORE_BYTES = 3.5 * 2 ** 30;

/** The dims of each tap's activation in a stage, per batch size (learned from that size's first run). */
type TapShapes = Map<number, number[][]>;

/**
 * The staged pass (docs/calibration.md): every window runs through stage 1 of the tap graph; its
 * taps' activations are swept for min/max/Σx² and kept in memory; once the last window is in, their
 * min/max are exact and their histograms can be counted from memory. Then stage 2 runs on the
 * tensors stage 1 carried out, and so on. One forward's work in all, no spill file; one stage's
 * session is open at a time. With a worker (`countThreads` 2), the activations go to the worker's
 * memory (their buffers transferred, the worker copies them), stages alternating between its two
 * halves, and the worker sweeps and counts stage s at the lowest priority while onnxruntime runs
 * stage s + 1, on what onnxruntime leaves of the cores; alone, this thread sweeps each window after
 * its run and counts each stage after its last.
 */
export async function stagedPasses(run: StatsRun, stages: CalibrationStage[]): Promise<void> {
  const carried: Carried = { carried: new Map(), carriedTypes: new Map() };
  const total = run.windows.samples * stages.length;
  const helper = HistogramHelper.start(countThreads(run, stages) === 2, run.opts.signal);
  const region = Math.max(...stageValues(run, stages)); // floats of each half of the worker's memory
  const widest = Math.max(...run.taps.map((t) => t.channels));
  const jobs: (SharedJob | undefined)[] = [undefined, undefined];
  try {
    // Grown once, before the worker counts anything: the store, the worker's vectors, then this thread's.
    if (helper.hasWorker) helper.reserveStore(2 * region);
    const mine = helper.hasWorker ? helper.helperKernels(2 * region, widest, run.opts.bins) : undefined;
    for (const [s, stage] of stages.entries()) {
      const detail = stages.length > 1 ? { detail: `part ${s + 1}/${stages.length}` } : {};
      const progress = (done: number) => run.opts.onProgress?.({ stage: 'calibrating', done: s * run.windows.samples + done, total, ...detail });
      await finish(jobs[s % 2], mine); // the half this stage fills is free once its last job is done
      const store = helper.hasWorker ? { helper, from: (s % 2) * region, to: (s % 2 + 1) * region } : undefined;
      const chunks = await runStage(run, stage, carried, progress, store);
      for (const name of stage.carriedIn) if (!stages.slice(s + 1).some((later) => later.carriedIn.includes(name))) carried.carried.delete(name);
      const stats = stage.taps.map((t) => run.all[t]!);
      if (store) {
        const job: StageJob = { storeFloats: 2 * region, taps: stats.map((x, j) => ({ channels: x.min.length, bins: x.bins, chunks: chunks[j]! })), claims: newClaims() };
        jobs[s % 2] = { job, stats, theirs: helper.stageStats(job) };
        continue;
      }
      for (const [j, x] of stats.entries()) {
        throwIfAborted(run.opts.signal);
        startHistogram(x);
        run.kernels.countChunks(x, binScales(x), chunks[j]!);
      }
    }
    const last = stages.length - 1;
    await finish(jobs[(last + 1) % 2], mine);
    await finish(jobs[last % 2], mine);
  } finally {
    helper.stop();
  }
}

/** A stage's statistics job shared with the worker: the stats it fills, and the worker's part. */
interface SharedJob {
  job: StageJob;
  stats: ChannelStats[];
  theirs: Promise<StageTapStats[]>;
}

/**
 * Completes a job: this thread takes the taps the worker has not taken yet (with `kernels` over the
 * worker's memory), then the worker's results arrive; both fill the stage's statistics.
 */
async function finish(shared: SharedJob | undefined, kernels: StatsKernels | undefined): Promise<void> {
  if (!shared) return;
  const fill = ({ tap, ...got }: StageTapStats) => Object.assign(shared.stats[tap]!, got);
  const ready = Atomics.waitAsync(shared.job.claims, READY, 0); // the worker puts the job's activations in place first
  if (ready.async) await Promise.race([ready.value, shared.theirs]);
  stageStats(shared.job, kernels!).forEach(fill);
  (await shared.theirs).forEach(fill);
}

/**
 * Threads that count the histograms: the option, else 2 when a stage holds SHARED_COUNT_VALUES or
 * more and the worker's memory can hold two stages (else this thread, which holds one, counts alone).
 */
function countThreads(run: StatsRun, stages: CalibrationStage[]): 1 | 2 {
  if (run.opts.countThreads) return run.opts.countThreads;
  return Math.max(...stageValues(run, stages)) >= SHARED_COUNT_VALUES && holds(run, stages, 2) ? 2 : 1;
}

function stageValues(run: StatsRun, stages: CalibrationStage[]): number[] {
  const { samples, seqlen } = run.windows;
  return stages.map((s) => s.taps.reduce((a, t) => a + run.taps[t]!.channels * samples * seqlen, 0));
}

/** Whether one kernels' memory (wasm32) holds `held` of the largest stage. */
function holds(run: StatsRun, stages: CalibrationStage[], held: 1 | 2): boolean {
  return 4 * held * Math.max(...stageValues(run, stages)) <= MAX_STORE_BYTES;
}

/** Whether the stages fit in the kernels' memory: the worker's holds two stages, this thread's alone one. */
export function stagesFitMemory(run: StatsRun, stages: CalibrationStage[]): boolean {
  return holds(run, stages, countThreads(run, stages));
}

/** The tensors stages hand on, per window batch, and their types as stage inputs. */
interface Carried {
  carried: Map<string, ort.Tensor[]>;
  carriedTypes: Map<string, ValueInfoProto>;
}

/** Where a stage's activations go with a worker: floats [from, to) of its memory. */
interface WorkerStore {
  helper: HistogramHelper;
  from: number;
  to: number;
}

/**
 * Runs every window through one stage. With a worker, each tap's activations (the buffer
 * onnxruntime-node returns) go to the worker, which puts them in its store. Alone, they go to the
 * kernels' input area, tap after tap, window after window, and are reduced (min, max, Σx²) there:
 * once a batch size's shapes are known, onnxruntime writes float32 activations straight into the
 * kernels' memory (pre-allocated outputs); the first run of each size, and fp16 activations, are
 * copied in. Returns where they are, per tap. The tensors the stage carries out are kept for the
 * later stages.
 */
async function runStage(run: StatsRun, stage: CalibrationStage, { carried, carriedTypes }: Carried, progress: (done: number) => void, store?: WorkerStore): Promise<KernelChunk[][]> {
  const { samples, seqlen } = run.windows;
  const { batch, signal } = run.opts;
  const session = await openSession(run.model, stageModel(run.tapModel.proto, stage, run.raw, carriedTypes), run.opts);
  const names = [...new Set([...stage.taps.map((t) => run.raw[t]!), ...stage.carriedOut])];
  const chunks: KernelChunk[][] = stage.taps.map(() => []);
  const shapes: TapShapes = new Map();
  let [offset, stored] = [0, store?.from ?? 0];
  progress(0);
  try {
    for (let first = 0, b = 0; first < samples; first += batch, b++) {
      throwIfAborted(signal);
      const count = Math.min(batch, samples - first);
      const feeds = feedsFor(session, makeFeeds(run.model, windowBatch(run.windows, first, count), count, seqlen));
      for (const name of stage.carriedIn) feeds[name] = carried.get(name)![b]!;
      const dims = store ? undefined : shapes.get(count);
      const out = await session.run(feeds, dims ? preallocated(run, stage, names, dims, offset) : Object.fromEntries(names.map((n) => [n, null])));
      if (store) stored = handToWorker(run, stage, out, store, stored, chunks);
      else {
        if (!dims && stage.taps.every((t) => out[run.raw[t]!]!.type === 'float32')) shapes.set(count, stage.taps.map((t) => [...out[run.raw[t]!]!.dims]));
        offset = reduceHere(run, stage, out, dims, offset, chunks);
      }
      for (const name of stage.carriedOut) {
        if (!carried.has(name)) [carried.set(name, []), carriedTypes.set(name, carriedValueInfo(name, out[name]!))];
        carried.get(name)!.push(out[name]!);
      }
      progress(first + count);
    }
  } finally {
    await session.release();
  }
  return chunks;
}

/**
 * Hands one run's tap activations to the worker, to go at float `stored` on of its memory; returns
 * where the next go. onnxruntime-node returns each output in a buffer of its own, which is
 * transferred as it is (a copy, when a later stage still reads the tensor).
 */
function handToWorker(run: StatsRun, stage: CalibrationStage, out: ort.InferenceSession.OnnxValueMapType, store: WorkerStore, stored: number, chunks: KernelChunk[][]): number {
  stage.taps.forEach((t, j) => {
    const data = tapData(run, out, t);
    const length = data.length; // before the buffer is transferred
    if (stored + length > store.to) throw new Error(`activation "${run.taps[t]!.tensor}" is larger than planned (${length} values per batch)`);
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !stage.carriedOut.includes(run.raw[t]!);
    store.helper.place(whole ? data : data.slice(), stored);
    chunks[j]!.push({ offset: stored, length });
    stored += length;
  });
  return stored;
}

/**
 * Reduces one run's tap activations in the kernels' input area from float `offset` on, where they
 * stay (written there by onnxruntime when `dims` is known, else copied in); returns where the next go.
 */
function reduceHere(run: StatsRun, stage: CalibrationStage, out: ort.InferenceSession.OnnxValueMapType, dims: number[][] | undefined, offset: number, chunks: KernelChunk[][]): number {
  stage.taps.forEach((t, j) => {
    const length = dims ? product(dims[j]!) : kernelCopy(run, tapData(run, out, t), t, offset).length;
    run.kernels.reduce(run.all[t]!, length, offset);
    chunks[j]!.push({ offset, length });
    offset += length;
  });
  return offset;
}

/** Fetches for one run: each tap's output as a tensor over the kernels' input area from `offset` on, the rest (null) allocated by onnxruntime. */
function preallocated(run: StatsRun, stage: CalibrationStage, names: string[], dims: number[][], offset: number): Record<string, ort.Tensor | null> {
  const fetches: Record<string, ort.Tensor | null> = Object.fromEntries(names.map((n) => [n, null]));
  const lengths = dims.map(product);
  const widest = Math.max(...stage.taps.map((t) => run.taps[t]!.channels));
  run.kernels.input(lengths.reduce((a, b) => a + b, 0), widest, run.opts.bins, offset); // room for all: no view below is moved by a later one
  stage.taps.forEach((t, j) => {
    const view = run.kernels.input(lengths[j]!, run.taps[t]!.channels, run.opts.bins, offset);
    fetches[run.raw[t]!] = new ort.Tensor('float32', view, dims[j]!);
    offset += lengths[j]!;
  });
  return fetches;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** A carried tensor as a stage input: its type, its rank, symbolic dims but the last (batches may differ in size). */
function carriedValueInfo(name: string, tensor: ort.Tensor): ValueInfoProto {
  const dims = tensor.dims.map((d, i) => (i === tensor.dims.length - 1 ? d : `${name}_dim${i}`));
  return valueInfo(name, dataTypeOfOrtType(tensor.type), dims);
}
