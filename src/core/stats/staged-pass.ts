import type * as ort from 'onnxruntime-node';
import type { ValueInfoProto } from 'onnx-buf';
import { throwIfAborted } from '../errors';
import { windowBatch } from '../calib/sampling';
import { feedsFor, openSession } from '../calib/model-session';
import { dataTypeOfOrtType } from '../onnx/dtype';
import { makeFeeds } from '../onnx/model-inputs';
import { valueInfo } from '../onnx/proto-build';
import { binScales, startHistogram } from './histogram';
import { addCounts, countChunk, HistogramHelper, openChunkSource, type TapCount } from './histogram-share';
import { stageModel, type CalibrationStage } from './stage-plan';
import { kernelCopy, tapData, type StatsRun } from './stats-run';

/** Default memory for one stage's activations: one GPT-2-small block over 16 × 512 tokens is 176 MB. */
export const DEFAULT_STAGE_BYTES = 256 * 2 ** 20;

/** Below this many values in a stage, one thread counts its histograms (a worker costs more to start). */
const SHARED_COUNT_VALUES = 4 * 2 ** 20;

/** The activations of one stage's taps, window after window, in memory that a worker thread can read. */
interface StageStore {
  buffer: SharedArrayBuffer;
  /** Per tap of the stage, one chunk per batch (byte offsets into `buffer`). */
  chunks: TapCount['chunks'][];
}

/**
 * The staged pass (docs/calibration.md): every window runs through stage 1 of the tap graph, whose
 * taps' activations stay in memory; once the last window is in, their min/max are exact and their
 * histograms are counted from memory (on two threads, half of the windows each: onnxruntime is idle
 * then), then stage 2 runs on the tensors stage 1 carried out, and so on. One forward's work in all,
 * no spill file; one stage's session is open at a time.
 */
export async function stagedPasses(run: StatsRun, stages: CalibrationStage[]): Promise<void> {
  const carried = new Map<string, ort.Tensor[]>();
  const carriedTypes = new Map<string, ValueInfoProto>();
  const { samples, seqlen } = run.windows;
  const total = samples * stages.length;
  const stageValues = stages.map((s) => s.taps.reduce((a, t) => a + run.taps[t]!.channels * samples * seqlen, 0));
  const threads = run.opts.countThreads ?? (Math.max(...stageValues) >= SHARED_COUNT_VALUES ? 2 : 1);
  const helper = HistogramHelper.start(threads === 2);
  let buffer = new SharedArrayBuffer(4 * Math.max(...stageValues));
  try {
    for (const [s, stage] of stages.entries()) {
      const detail = stages.length > 1 ? { detail: `part ${s + 1}/${stages.length}` } : {};
      const progress = (done: number) => run.opts.onProgress?.({ stage: 'calibrating', done: s * samples + done, total, ...detail });
      const store = await runStage(run, stage, buffer, carried, carriedTypes, progress);
      for (const name of stage.carriedIn) if (!stages.slice(s + 1).some((later) => later.carriedIn.includes(name))) carried.delete(name);
      await countStage(run, stage, store, helper);
      buffer = store.buffer;
    }
  } finally {
    helper.stop();
  }
}

/**
 * Runs every window through one stage: copies its taps' activations into the store (tap after tap,
 * window after window), reduces them (min, max, Σx²), and keeps the tensors the stage carries out
 * for the later stages.
 */
async function runStage(
  run: StatsRun,
  stage: CalibrationStage,
  buffer: SharedArrayBuffer,
  carried: Map<string, ort.Tensor[]>,
  carriedTypes: Map<string, ValueInfoProto>,
  progress: (done: number) => void,
): Promise<StageStore> {
  const { samples, seqlen } = run.windows;
  const { batch, signal } = run.opts;
  const session = await openSession(run.model, stageModel(run.tapModel.proto, stage, run.raw, carriedTypes), run.opts);
  const fetches = [...new Set([...stage.taps.map((t) => run.raw[t]!), ...stage.carriedOut])];
  const chunks: StageStore['chunks'] = stage.taps.map(() => []);
  let at = 0;
  progress(0);
  try {
    for (let first = 0, b = 0; first < samples; first += batch, b++) {
      throwIfAborted(signal);
      const count = Math.min(batch, samples - first);
      const feeds = feedsFor(session, makeFeeds(run.model, windowBatch(run.windows, first, count), count, seqlen));
      for (const name of stage.carriedIn) feeds[name] = carried.get(name)![b]!;
      const out = await session.run(feeds, fetches);
      stage.taps.forEach((t, j) => {
        const data = tapData(run, out, t);
        if (at + data.byteLength > buffer.byteLength) buffer = grown(buffer, at + data.byteLength);
        new Float32Array(buffer, at, data.length).set(data);
        chunks[j]!.push({ at, length: data.length });
        at += data.byteLength;
        run.kernels.reduce(run.all[t]!, kernelCopy(run, data, t).length);
      });
      for (const name of stage.carriedOut) {
        if (!carried.has(name)) [carried.set(name, []), carriedTypes.set(name, carriedValueInfo(name, out[name]!))];
        carried.get(name)!.push(out[name]!);
      }
      progress(first + count);
    }
  } finally {
    await session.release();
  }
  return { buffer, chunks };
}

/** A larger store holding the first `used` bytes of `buffer` (only when a stage is larger than planned). */
function grown(buffer: SharedArrayBuffer, used: number): SharedArrayBuffer {
  const bigger = new SharedArrayBuffer(Math.max(used, 2 * buffer.byteLength));
  new Uint8Array(bigger).set(new Uint8Array(buffer));
  return bigger;
}

/** Counts a stage's stored activations into their histograms, now that min/max are final: half of the windows on the helper's worker. */
async function countStage(run: StatsRun, stage: CalibrationStage, store: StageStore, helper: HistogramHelper): Promise<void> {
  const stats = stage.taps.map((t) => run.all[t]!);
  const taps = stats.map((s, j): TapCount => (startHistogram(s), { min: s.min, scales: binScales(s), bins: s.bins, chunks: store.chunks[j]! }));
  const source = { store: store.buffer };
  const share = helper.share(source, taps, run.opts.signal);
  const { read } = openChunkSource(source);
  share.mine.forEach((chunks, j) => {
    throwIfAborted(run.opts.signal);
    for (const chunk of chunks) countChunk(read, run.kernels, stats[j]!, taps[j]!.scales, chunk);
  });
  if (share.theirs) (await share.theirs).forEach((counts, j) => addCounts(stats[j]!.histogram!, counts));
}

/** A carried tensor as a stage input: its type, its rank, symbolic dims but the last (batches may differ in size). */
function carriedValueInfo(name: string, tensor: ort.Tensor): ValueInfoProto {
  const dims = tensor.dims.map((d, i) => (i === tensor.dims.length - 1 ? d : `${name}_dim${i}`));
  return valueInfo(name, dataTypeOfOrtType(tensor.type), dims);
}
