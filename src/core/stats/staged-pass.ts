import * as ort from 'onnxruntime-node';
import type { ValueInfoProto } from 'onnx-buf';
import { throwIfAborted } from '../errors';
import { windowBatch } from '../calib/sampling';
import { feedsFor, openSession } from '../calib/model-session';
import { dataTypeOfOrtType } from '../onnx/dtype';
import { makeFeeds } from '../onnx/model-inputs';
import { valueInfo } from '../onnx/proto-build';
import { binScales, startHistogram } from './histogram';
import { addCounts, HistogramHelper, type TapCount } from './histogram-share';
import { stageModel, type CalibrationStage } from './stage-plan';
import type { KernelChunk } from './stats-kernels';
import { kernelCopy, tapData, type StatsRun } from './stats-run';

/** Default memory for one stage's activations: one GPT-2-small block over 16 × 512 tokens is 176 MB. */
export const DEFAULT_STAGE_BYTES = 256 * 2 ** 20;

/** Below this many values in a stage, one thread counts its histograms (a worker costs more to start). */
const SHARED_COUNT_VALUES = 4 * 2 ** 20;

/** The dims of each tap's activation in a stage, per batch size (learned from that size's first run). */
type TapShapes = Map<number, number[][]>;

/** Where a stage's activations are, per tap: this thread's windows in its kernels' memory, the worker's in the worker's. */
interface StageChunks {
  mine: KernelChunk[][];
  theirs: KernelChunk[][];
}

/**
 * The staged pass (docs/calibration.md): every window runs through stage 1 of the tap graph, whose
 * taps' activations stay in memory (in the statistics kernels' memory, where onnxruntime writes
 * them); once the last window is in, their min/max are exact and their histograms are counted from
 * memory (on two threads: onnxruntime is idle then), then stage 2 runs on the tensors stage 1
 * carried out, and so on. One forward's work in all, no spill file; one stage's session is open at a time.
 */
export async function stagedPasses(run: StatsRun, stages: CalibrationStage[]): Promise<void> {
  const carried = new Map<string, ort.Tensor[]>();
  const carriedTypes = new Map<string, ValueInfoProto>();
  const { samples, seqlen } = run.windows;
  const total = samples * stages.length;
  const stageValues = stages.map((s) => s.taps.reduce((a, t) => a + run.taps[t]!.channels * samples * seqlen, 0));
  const threads = run.opts.countThreads ?? (Math.max(...stageValues) >= SHARED_COUNT_VALUES ? 2 : 1);
  const helper = HistogramHelper.start(threads === 2);
  try {
    for (const [s, stage] of stages.entries()) {
      const detail = stages.length > 1 ? { detail: `part ${s + 1}/${stages.length}` } : {};
      const progress = (done: number) => run.opts.onProgress?.({ stage: 'calibrating', done: s * samples + done, total, ...detail });
      const chunks = await runStage(run, stage, helper, { carried, carriedTypes }, progress);
      for (const name of stage.carriedIn) if (!stages.slice(s + 1).some((later) => later.carriedIn.includes(name))) carried.delete(name);
      await countStage(run, stage, chunks, helper);
    }
  } finally {
    helper.stop();
  }
}

/** The tensors stages hand on, per window batch, and their types as stage inputs. */
interface Carried {
  carried: Map<string, ort.Tensor[]>;
  carriedTypes: Map<string, ValueInfoProto>;
}

/**
 * Runs every window through one stage: its taps' activations go to the kernels' input area (tap
 * after tap, window after window) and are reduced (min, max, Σx²) there; the later half of the
 * windows then go on to the worker's memory (when there is a worker), the earlier half stay. The
 * tensors the stage carries out are kept for the later stages. Once a batch size's shapes are
 * known, onnxruntime writes float32 activations straight into the kernels' memory (pre-allocated
 * outputs); the first run of each size, and fp16 activations, are copied in.
 */
async function runStage(run: StatsRun, stage: CalibrationStage, helper: HistogramHelper, { carried, carriedTypes }: Carried, progress: (done: number) => void): Promise<StageChunks> {
  const { samples, seqlen } = run.windows;
  const { batch, signal } = run.opts;
  const session = await openSession(run.model, stageModel(run.tapModel.proto, stage, run.raw, carriedTypes), run.opts);
  const names = [...new Set([...stage.taps.map((t) => run.raw[t]!), ...stage.carriedOut])];
  const chunks: StageChunks = { mine: stage.taps.map(() => []), theirs: stage.taps.map(() => []) };
  const shapes: TapShapes = new Map();
  const batches = Math.ceil(samples / batch);
  const theirsFrom = helper.hasWorker ? Math.ceil(batches / 2) : batches;
  let [offset, theirsAt] = [0, 0];
  progress(0);
  try {
    for (let first = 0, b = 0; first < samples; first += batch, b++) {
      throwIfAborted(signal);
      const count = Math.min(batch, samples - first);
      const feeds = feedsFor(session, makeFeeds(run.model, windowBatch(run.windows, first, count), count, seqlen));
      for (const name of stage.carriedIn) feeds[name] = carried.get(name)![b]!;
      const dims = shapes.get(count);
      const out = await session.run(feeds, dims ? preallocated(run, stage, names, dims, offset) : Object.fromEntries(names.map((n) => [n, null])));
      if (!dims && stage.taps.every((t) => out[run.raw[t]!]!.type === 'float32')) shapes.set(count, stage.taps.map((t) => [...out[run.raw[t]!]!.dims]));
      let at = offset;
      stage.taps.forEach((t, j) => {
        const length = dims ? product(dims[j]!) : kernelCopy(run, tapData(run, out, t), t, at).length;
        run.kernels.reduce(run.all[t]!, length, at);
        if (b < theirsFrom) chunks.mine[j]!.push({ offset: at, length });
        else {
          helper.store(theirsAt + length).set(run.kernels.input(length, run.taps[t]!.channels, run.opts.bins, at), theirsAt);
          chunks.theirs[j]!.push({ offset: theirsAt, length });
          theirsAt += length;
        }
        at += length;
      });
      if (b < theirsFrom) offset = at; // the worker's windows reuse the same place here
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

/** Counts a stage's activations into their histograms, now that min/max are final: this thread's windows here, the rest on the worker at once. */
async function countStage(run: StatsRun, stage: CalibrationStage, chunks: StageChunks, helper: HistogramHelper): Promise<void> {
  const stats = stage.taps.map((t) => run.all[t]!);
  const taps = stats.map((s): Omit<TapCount, 'chunks'> => (startHistogram(s), { min: s.min, scales: binScales(s), bins: s.bins }));
  const theirs = chunks.theirs.some((c) => c.length > 0) && helper.count({ inMemory: true }, taps.map((t, j) => ({ ...t, chunks: chunks.theirs[j]! })), run.opts.signal);
  chunks.mine.forEach((mine, j) => {
    throwIfAborted(run.opts.signal);
    run.kernels.countChunks(stats[j]!, taps[j]!.scales, mine);
  });
  if (theirs) (await theirs).forEach((counts, j) => addCounts(stats[j]!.histogram!, counts));
}

/** A carried tensor as a stage input: its type, its rank, symbolic dims but the last (batches may differ in size). */
function carriedValueInfo(name: string, tensor: ort.Tensor): ValueInfoProto {
  const dims = tensor.dims.map((d, i) => (i === tensor.dims.length - 1 ? d : `${name}_dim${i}`));
  return valueInfo(name, dataTypeOfOrtType(tensor.type), dims);
}
