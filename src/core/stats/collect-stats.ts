import type * as ort from 'onnxruntime-node';
import { throwIfAborted, UserError } from '../errors';
import type { JobOptions } from '../progress';
import type { TokenWindows } from '../calib/sampling';
import { float32Data, openSession, type SessionOptions } from '../calib/model-session';
import { findLinearLayers } from '../onnx/linear-layers';
import type { OnnxModel } from '../onnx/model-file';
import { activationTaps, type ActivationTap } from './activation-taps';
import { ActivationSpill, freeBytes } from './activation-spill';
import { forwardBatches } from './batch-forward';
import { createChannelStats, type ChannelStats } from './channel-stats';
import { binScales, startHistogram } from './histogram';
import { countChunk, shareHistograms, type SpillChunk } from './histogram-share';
import { StatsKernels } from './stats-kernels';
import { buildTapModel } from './tap-model';

/**
 * How the exact histogram gets the final min/max: `spill` writes pass 1's activations to a private
 * temp file and reads them back (one forward pass); `rerun` runs the forward again (no disk);
 * `auto` spills when the temp folder has room; `none` skips the histogram (sum of squares only).
 */
export type HistogramPass = 'spill' | 'rerun' | 'auto' | 'none';

export interface StatsRunOptions extends JobOptions, SessionOptions {
  /** Equal-width histogram bins per channel (default 256). */
  bins?: number;
  /** Windows per onnxruntime run (default 1). */
  batch?: number;
  /** Which activations to tap (default: the inputs of every prunable layer). */
  taps?: ActivationTap[];
  histogram?: HistogramPass;
  /** Parent folder of the spill file (default: the OS temp folder). */
  tempDir?: string;
}

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

/** Everything one run needs: the session on the tap graph and the names to fetch. */
interface Run {
  model: OnnxModel;
  session: ort.InferenceSession;
  windows: TokenWindows;
  taps: ActivationTap[];
  /** Output name of each tap's activation, in tap order. */
  raw: string[];
  kernels: StatsKernels;
  all: ChannelStats[];
  opts: StatsRunOptions & { bins: number; batch: number };
}

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
  const session = await openSession(model, tapModel.proto, opts);
  const all = taps.map((t) => createChannelStats(t.channels, bins));
  const raw = taps.map((t) => tapModel.fetch.get(t.tensor)!);
  const run: Run = { model, session, windows, taps, raw, kernels: new StatsKernels(), all, opts: { ...opts, bins, batch } };
  try {
    const mode = chooseHistogramPass(opts.histogram ?? 'auto', windows, taps, opts.tempDir);
    await (mode === 'spill' ? spillPasses(run) : mode === 'rerun' ? rerunPasses(run) : reductionPass(run));
    for (const s of all) [s.count, s.sequences] = [windows.samples * windows.seqlen, windows.samples];
    return { taps, stats: new Map(taps.map((t, i) => [t.tensor, all[i]!])), samples: windows.samples, seqlen: windows.seqlen, bins, histogram: mode };
  } finally {
    await session.release();
  }
}

/** `auto` spills when the temp folder has room for every tapped activation (plus a margin). */
export function chooseHistogramPass(pass: HistogramPass, windows: TokenWindows, taps: readonly ActivationTap[], tempDir?: string): Exclude<HistogramPass, 'auto'> {
  if (pass !== 'auto') return pass;
  const needed = windows.samples * windows.seqlen * taps.reduce((s, t) => s + t.channels, 0) * 4;
  return freeBytes(tempDir) > needed * 1.1 + 256 * 2 ** 20 ? 'spill' : 'rerun';
}

/**
 * Pass 1 takes the extremes and Σx² and spills the activations; pass 2 reads them back and counts
 * the histograms, half of the taps on a worker thread (the other core is idle once the forward ends).
 */
async function spillPasses(run: Run): Promise<void> {
  const spill = ActivationSpill.create(run.opts.tempDir);
  let stopHelper = () => undefined as void;
  try {
    const chunks: SpillChunk[][] = run.taps.map(() => []);
    await reductionPass(run, (input, i) => {
      chunks[i]!.push({ at: spill.bytesWritten, length: input.length });
      spill.append(input);
    });
    const scales = startHistograms(run);
    const taps = run.all.map((s, i) => ({ min: s.min, scales: scales[i]!, bins: run.opts.bins, chunks: chunks[i]! }));
    const share = shareHistograms(spill.path, taps, run.opts.signal);
    stopHelper = share.stop;
    const { samples } = run.windows;
    const batches = chunks[0]!.length;
    for (let b = 0; b < batches; b++) {
      throwIfAborted(run.opts.signal);
      for (const i of share.mine) countChunk(spill.fd, run.kernels, run.all[i]!, scales[i]!, chunks[i]![b]!);
      run.opts.onProgress?.({ stage: 'histograms', done: Math.min((b + 1) * run.opts.batch, samples), total: samples });
    }
    if (share.theirs) for (const [i, histogram] of await share.theirs) run.all[i]!.histogram = histogram;
  } finally {
    stopHelper();
    spill.dispose();
  }
}

/** Pass 1 takes the extremes and Σx²; pass 2 runs the forward again for the histograms. */
async function rerunPasses(run: Run): Promise<void> {
  await reductionPass(run);
  const scales = startHistograms(run);
  await pass(run, 'histograms', (out) => run.all.forEach((stats, i) => run.kernels.count(stats, scales[i]!, kernelInput(run, out, i).length)));
}

/** The forward pass that takes every tap's min, max and Σx²; `alsoUse` sees each activation after. */
function reductionPass(run: Run, alsoUse?: (input: Float32Array, tap: number) => void): Promise<void> {
  return pass(run, 'calibrating', (out) =>
    run.all.forEach((stats, i) => {
      const input = kernelInput(run, out, i);
      run.kernels.reduce(stats, input.length);
      alsoUse?.(input, i);
    }),
  );
}

function pass(run: Run, stage: string, consume: (out: ort.InferenceSession.OnnxValueMapType) => void): Promise<void> {
  return forwardBatches(run.model, run.session, run.windows, run.raw, run.opts.batch, stage, consume, run.opts);
}

/** Copies tap i's activation into the kernels' memory; returns that view. */
function kernelInput(run: Run, out: ort.InferenceSession.OnnxValueMapType, i: number): Float32Array {
  const data = tapData(run, out, i);
  const input = run.kernels.input(data.length, run.taps[i]!.channels, run.opts.bins);
  input.set(data);
  return input;
}

function startHistograms(run: Run): Float64Array[] {
  return run.all.map((s) => (startHistogram(s), binScales(s)));
}

/** A tap's activation as fp32, checked against the layer's K. */
function tapData(run: Run, out: ort.InferenceSession.OnnxValueMapType, i: number): Float32Array {
  const tap = run.taps[i]!;
  const tensor = out[run.raw[i]!]!;
  if (tensor.dims.at(-1) !== tap.channels) {
    throw new UserError(`${run.model.path}: activation "${tap.tensor}" has shape [${tensor.dims.join(', ')}], expected last dim ${tap.channels} (the K of ${tap.layers.join(', ')})`);
  }
  return float32Data(tensor, tap.tensor);
}
