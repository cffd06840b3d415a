import type * as ort from 'onnxruntime-node';
import { throwIfAborted, UserError } from '../errors';
import type { TokenWindows } from '../calib/sampling';
import { openSession } from '../calib/model-session';
import { blockOfAny } from '../onnx/block-name';
import { findLinearLayers } from '../onnx/linear-layers';
import type { OnnxModel } from '../onnx/model-file';
import { activationTaps, type ActivationTap } from './activation-taps';
import { ActivationSpill, freeBytes, readFloatsAt } from './activation-spill';
import { forwardBatches } from './batch-forward';
import { createChannelStats, type ChannelStats } from './channel-stats';
import { binScales, startHistogram } from './histogram';
import { addCounts, countChunk, HistogramHelper, type ChunkReader } from './histogram-share';
import { StatsKernels, type KernelChunk } from './stats-kernels';
import { buildTapModel } from './tap-model';
import { planStages, type CalibrationStage } from './stage-plan';
import { DEFAULT_STAGE_BYTES, stagedPasses, stagesFitMemory } from './staged-pass';
import { kernelCopy, tapData, type HistogramPass, type StatsRun, type StatsRunOptions } from './stats-run';

export type { HistogramPass, StatsRunOptions } from './stats-run';

export interface ActivationStats {
  taps: ActivationTap[];
  /** Statistics per tapped activation tensor name. */
  stats: Map<string, ChannelStats>;
  samples: number;
  seqlen: number;
  bins: number;
  /** The histogram pass actually used. */
  histogram: Exclude<HistogramPass, 'auto'>;
}

export const DEFAULT_BINS = 256;

/**
 * Runs the calibration windows through the model, stopped after the last tapped activation (no
 * lm_head), and accumulates per-channel count, Σx², min, max and the exact histogram over
 * [min_k, max_k] of every tapped activation (docs/calibration.md). Results do not depend on `batch`.
 */
export async function collectChannelStats(model: OnnxModel, windows: TokenWindows, opts: StatsRunOptions = {}): Promise<ActivationStats> {
  const bins = opts.bins ?? DEFAULT_BINS;
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(bins) || bins < 1) throw new UserError(`bins must be a positive integer, got ${bins}`);
  if (!Number.isInteger(batch) || batch < 1) throw new UserError(`batch must be a positive integer, got ${batch}`);
  const taps = opts.taps ?? activationTaps(findLinearLayers(model));
  if (taps.length === 0) throw new UserError(`${model.path}: no prunable linear layers, so no activations to calibrate`);
  const tapModel = buildTapModel(model.proto, taps.map((t) => t.tensor));
  const all = taps.map((t) => createChannelStats(t.channels, bins));
  const raw = taps.map((t) => tapModel.fetch.get(t.tensor)!);
  const run: StatsRun = { model, tapModel, windows, taps, raw, kernels: new StatsKernels(), all, opts: { ...opts, bins, batch } };
  const choice = chooseHistogramPass(run, opts.histogram ?? 'auto');
  if (choice.pass === 'staged') await stagedPasses(run, choice.stages);
  else await onePassSession(run, choice.pass);
  for (const s of all) [s.count, s.sequences] = [windows.samples * windows.seqlen, windows.samples];
  return { taps, stats: new Map(taps.map((t, i) => [t.tensor, all[i]!])), samples: windows.samples, seqlen: windows.seqlen, bins, histogram: choice.pass };
}

/** The passes that run the whole tap graph in one session. */
async function onePassSession(stats: StatsRun, pass: 'spill' | 'rerun' | 'none'): Promise<void> {
  const session = await openSession(stats.model, stats.tapModel.proto, stats.opts);
  const run = { ...stats, session };
  try {
    await (pass === 'spill' ? spillPasses(run) : pass === 'rerun' ? rerunPasses(run) : reductionPass(run));
  } finally {
    await session.release();
  }
}

/** A statistics run with its session on the whole tap graph. */
type SessionRun = StatsRun & { session: ort.InferenceSession };

type Choice = { pass: 'staged'; stages: CalibrationStage[] } | { pass: 'spill' | 'rerun' | 'none' };

/**
 * `auto` runs staged when the tap graph cuts into stages (stage-plan.ts): one forward, no disk; it is
 * also the fastest on GPT-2 small (docs/calibration.md). Else it spills when the temp folder has room
 * for every tapped activation (plus a margin); else it re-runs the forward.
 */
function chooseHistogramPass(run: StatsRun, pass: HistogramPass): Choice {
  if (pass === 'spill' || pass === 'rerun' || pass === 'none') return { pass };
  const { samples, seqlen } = run.windows;
  const tapBytes = run.taps.map((t) => samples * seqlen * t.channels * 4);
  const blocks = run.taps.map((t) => blockOfAny(t.layers)?.block ?? null);
  const stages = planStages(run.tapModel.proto.graph!, run.raw, tapBytes, run.opts.stageBytes ?? DEFAULT_STAGE_BYTES, blocks);
  if (stages && stagesFitMemory(run, stages)) return { pass: 'staged', stages };
  if (pass === 'staged' && stages) throw new UserError(`${run.model.path}: one layer's activations over all calibration windows are too large to hold in memory for the staged pass`, 'use fewer --samples or a shorter --seqlen, or the spill or rerun histogram pass');
  if (pass === 'staged') throw new UserError(`${run.model.path}: the graph cannot be calibrated in stages (a prunable layer reads an activation computed after a later layer's)`, 'use the spill or rerun histogram pass');
  const needed = tapBytes.reduce((a, b) => a + b, 0);
  return { pass: freeBytes(run.opts.tempDir) > needed * 1.1 + 256 * 2 ** 20 ? 'spill' : 'rerun' };
}

/**
 * Pass 1 takes the extremes and Σx² and spills the activations; pass 2 reads them back and counts
 * the histograms, the second half of the windows on a worker thread (the other core is idle once the forward ends).
 */
async function spillPasses(run: SessionRun): Promise<void> {
  const spill = ActivationSpill.create(run.opts.tempDir);
  let helper: HistogramHelper | undefined;
  try {
    const chunks: KernelChunk[][] = run.taps.map(() => []);
    await reductionPass(run, (input, i) => {
      chunks[i]!.push({ offset: spill.bytesWritten / 4, length: input.length });
      spill.append(input);
    });
    const scales = startHistograms(run);
    const taps = run.all.map((s, i) => ({ min: s.min, scales: scales[i]!, bins: run.opts.bins, chunks: chunks[i]! }));
    helper = HistogramHelper.start(true, run.opts.signal); // not before: its memory would add to the forward's peak
    const share = helper.split(taps);
    const theirs = share.theirs && helper.count({ path: spill.path }, share.theirs);
    const read: ChunkReader = (into, length, offset) => readFloatsAt(spill.fd, into, length, 4 * offset);
    const { samples } = run.windows;
    // This thread counts the first half of the windows, the helper the rest (spill order: window after window).
    const batches = share.mine[0]!.length;
    for (let b = 0; b < batches; b++) {
      throwIfAborted(run.opts.signal);
      share.mine.forEach((mine, i) => countChunk(read, run.kernels, run.all[i]!, scales[i]!, mine[b]!));
      run.opts.onProgress?.({ stage: 'histograms', done: Math.min((b + 1) * run.opts.batch, samples), total: samples });
    }
    if (theirs) {
      (await theirs).forEach((counts, i) => addCounts(run.all[i]!.histogram!, counts));
      run.opts.onProgress?.({ stage: 'histograms', done: samples, total: samples });
    }
  } finally {
    helper?.stop();
    spill.dispose();
  }
}

/** Pass 1 takes the extremes and Σx²; pass 2 runs the forward again for the histograms. */
async function rerunPasses(run: SessionRun): Promise<void> {
  await reductionPass(run);
  const scales = startHistograms(run);
  await pass(run, 'histograms', (out) => run.all.forEach((stats, i) => run.kernels.count(stats, scales[i]!, kernelInput(run, out, i).length)));
}

/** The forward pass that takes every tap's min, max and Σx²; `alsoUse` sees each activation after. */
function reductionPass(run: SessionRun, alsoUse?: (input: Float32Array, tap: number) => void): Promise<void> {
  return pass(run, 'calibrating', (out) =>
    run.all.forEach((stats, i) => {
      const input = kernelInput(run, out, i);
      run.kernels.reduce(stats, input.length);
      alsoUse?.(input, i);
    }),
  );
}

function pass(run: SessionRun, stage: string, consume: (out: ort.InferenceSession.OnnxValueMapType) => void): Promise<void> {
  return forwardBatches(run.model, run.session, run.windows, run.raw, run.opts.batch, stage, consume, run.opts);
}

/** Copies tap i's activation into the kernels' memory; returns that view. */
function kernelInput(run: StatsRun, out: ort.InferenceSession.OnnxValueMapType, i: number): Float32Array {
  return kernelCopy(run, tapData(run, out, i), i);
}

function startHistograms(run: StatsRun): Float64Array[] {
  return run.all.map((s) => (startHistogram(s), binScales(s)));
}
