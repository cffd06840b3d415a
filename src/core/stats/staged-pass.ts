import type * as ort from 'onnxruntime-node';
import type { ValueInfoProto } from 'onnx-buf';
import { throwIfAborted } from '../errors';
import { windowBatch } from '../calib/sampling';
import { feedsFor, openSession } from '../calib/model-session';
import { dataTypeOfOrtType } from '../onnx/dtype';
import { makeFeeds } from '../onnx/model-inputs';
import { valueInfo } from '../onnx/proto-build';
import { binScales, startHistogram } from './histogram';
import { stageModel, type CalibrationStage } from './stage-plan';
import { tapData, type StatsRun } from './stats-run';

/** Default memory for one stage's activations: one GPT-2-small block over 16 × 512 tokens is 176 MB. */
export const DEFAULT_STAGE_BYTES = 256 * 2 ** 20;

/**
 * The staged pass (docs/calibration.md): every window runs through stage 1 of the tap graph, whose
 * taps' activations stay in memory; once the last window is in, their min/max are exact and their
 * histograms are counted from memory, then stage 2 runs on the tensors stage 1 carried out, and so
 * on. One forward's work in all, no spill file; one stage's session is open at a time.
 */
export async function stagedPasses(run: StatsRun, stages: CalibrationStage[]): Promise<void> {
  const carried = new Map<string, ort.Tensor[]>();
  const carriedTypes = new Map<string, ValueInfoProto>();
  const { samples } = run.windows;
  const total = samples * stages.length;
  for (const [s, stage] of stages.entries()) {
    const detail = stages.length > 1 ? { detail: `part ${s + 1}/${stages.length}` } : {};
    const areas = await runStage(run, stage, carried, carriedTypes, (done) => run.opts.onProgress?.({ stage: 'calibrating', done: s * samples + done, total, ...detail }));
    for (const name of stage.carriedIn) if (!stages.slice(s + 1).some((later) => later.carriedIn.includes(name))) carried.delete(name);
    countStage(run, stage, areas);
  }
}

/**
 * Runs every window through one stage: copies its taps' activations into the kernels' memory (tap
 * after tap, window after window: `areas` gives each tap's start, in floats), reduces them (min,
 * max, Σx²) there, and keeps the tensors the stage carries out for the later stages.
 */
async function runStage(
  run: StatsRun,
  stage: CalibrationStage,
  carried: Map<string, ort.Tensor[]>,
  carriedTypes: Map<string, ValueInfoProto>,
  progress: (done: number) => void,
): Promise<number[]> {
  const { samples, seqlen } = run.windows;
  const { batch, signal, bins } = run.opts;
  const channels = stage.taps.map((t) => run.taps[t]!.channels);
  const areas = channels.map((_, j) => channels.slice(0, j).reduce((a, k) => a + k * samples * seqlen, 0));
  run.kernels.input(areas.at(-1)! + channels.at(-1)! * samples * seqlen, Math.max(...channels), bins); // grows the memory once
  const session = await openSession(run.model, stageModel(run.tapModel.proto, stage, run.raw, carriedTypes), run.opts);
  const fetches = [...new Set([...stage.taps.map((t) => run.raw[t]!), ...stage.carriedOut])];
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
        const offset = areas[j]! + first * seqlen * channels[j]!;
        run.kernels.input(data.length, channels[j]!, bins, offset).set(data);
        run.kernels.reduce(run.all[t]!, data.length, offset);
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
  return areas;
}

/** Counts a stage's activations, held in the kernels' memory, into their histograms now that min/max are final. */
function countStage(run: StatsRun, stage: CalibrationStage, areas: number[]): void {
  const { samples, seqlen } = run.windows;
  const { batch, signal } = run.opts;
  stage.taps.forEach((t, j) => {
    const stats = run.all[t]!;
    startHistogram(stats);
    const scales = binScales(stats);
    const K = run.taps[t]!.channels;
    // One call per batch, as in the reduction: V8 tiers WebAssembly up between calls, not inside one.
    for (let first = 0; first < samples; first += batch) {
      throwIfAborted(signal);
      run.kernels.count(stats, scales, Math.min(batch, samples - first) * seqlen * K, areas[j]! + first * seqlen * K);
    }
  });
}

/** A carried tensor as a stage input: its type, its rank, symbolic dims but the last (batches may differ in size). */
function carriedValueInfo(name: string, tensor: ort.Tensor): ValueInfoProto {
  const dims = tensor.dims.map((d, i) => (i === tensor.dims.length - 1 ? d : `${name}_dim${i}`));
  return valueInfo(name, dataTypeOfOrtType(tensor.type), dims);
}
