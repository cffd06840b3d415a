import type * as ort from 'onnxruntime-node';
import { throwIfAborted, UserError } from '../errors';
import type { JobOptions } from '../progress';
import type { TokenWindows } from '../calib/sampling';
import { openSession, type SessionOptions } from '../calib/model-session';
import { findLinearLayers } from '../onnx/linear-layers';
import type { OnnxModel } from '../onnx/model-file';
import { activationTaps, type ActivationTap } from './activation-taps';
import { ActivationSpill, freeBytes } from './activation-spill';
import { forwardTaps } from './batch-forward';
import { accumulateMoments, createChannelStats, type ChannelStats } from './channel-stats';
import { accumulateHistogram, binScales, startHistogram } from './histogram';
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

/**
 * Runs the calibration windows through the model, stopped after the last tapped activation (no
 * lm_head), and accumulates per-channel count, Σx², min, max and the exact histogram over
 * [min_k, max_k] of every tapped activation. Results do not depend on `batch`.
 */
export async function collectChannelStats(model: OnnxModel, windows: TokenWindows, opts: StatsRunOptions = {}): Promise<ActivationStats> {
  const bins = opts.bins ?? DEFAULT_BINS;
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(bins) || bins < 1) throw new UserError(`bins must be a positive integer, got ${bins}`);
  if (!Number.isInteger(batch) || batch < 1) throw new UserError(`batch must be a positive integer, got ${batch}`);
  const taps = opts.taps ?? activationTaps(findLinearLayers(model));
  if (taps.length === 0) throw new UserError(`${model.path}: no prunable linear layers, so no activations to calibrate`);
  const { proto, fetch } = buildTapModel(model.proto, taps.map((t) => t.tensor));
  const session = await openSession(model, proto, opts);
  try {
    return await runPasses(model, session, windows, taps, fetch, { ...opts, bins, batch });
  } finally {
    await session.release();
  }
}

type Resolved = StatsRunOptions & { bins: number; batch: number };

async function runPasses(
  model: OnnxModel,
  session: ort.InferenceSession,
  windows: TokenWindows,
  taps: ActivationTap[],
  fetch: Map<string, string>,
  opts: Resolved,
): Promise<ActivationStats> {
  const all = taps.map((t) => createChannelStats(t.channels, opts.bins));
  const mode = chooseHistogramPass(opts.histogram ?? 'auto', windows, taps, opts.tempDir);
  const spill = mode === 'spill' ? ActivationSpill.create(opts.tempDir) : undefined;
  const lengths: number[] = [];
  try {
    await forwardTaps(model, session, windows, taps, fetch, opts.batch, 'calibrating', (i, data) => {
      accumulateMoments(all[i]!, data);
      if (spill) {
        spill.append(data);
        lengths.push(data.length);
      }
    }, opts);
    for (const s of all) s.sequences = windows.samples;
    if (mode !== 'none') {
      const scales = all.map((s) => (startHistogram(s), binScales(s)));
      const count = (i: number, data: Float32Array) => accumulateHistogram(all[i]!, scales[i]!, data);
      if (spill) replaySpill(spill, lengths, taps.length, windows, opts, count);
      else await forwardTaps(model, session, windows, taps, fetch, opts.batch, 'histograms', count, opts);
    }
  } finally {
    spill?.dispose();
  }
  return { taps, stats: new Map(taps.map((t, i) => [t.tensor, all[i]!])), samples: windows.samples, seqlen: windows.seqlen, bins: opts.bins, histogram: mode };
}

/** Pass 2 from the spill file: the blocks come back in the order pass 1 wrote them. */
function replaySpill(spill: ActivationSpill, lengths: number[], tapCount: number, windows: TokenWindows, opts: Resolved, count: (i: number, data: Float32Array) => void): void {
  const buffer = new Float32Array(Math.max(...lengths));
  const batches = lengths.length / tapCount;
  for (let b = 0; b < batches; b++) {
    throwIfAborted(opts.signal);
    for (let i = 0; i < tapCount; i++) count(i, spill.readNext(buffer, lengths[b * tapCount + i]!));
    opts.onProgress?.({ stage: 'histograms', done: Math.min((b + 1) * opts.batch, windows.samples), total: windows.samples });
  }
}

/** `auto` spills when the temp folder has room for every tapped activation (plus a margin). */
export function chooseHistogramPass(pass: HistogramPass, windows: TokenWindows, taps: readonly ActivationTap[], tempDir?: string): Exclude<HistogramPass, 'auto'> {
  if (pass !== 'auto') return pass;
  const needed = windows.samples * windows.seqlen * taps.reduce((s, t) => s + t.channels, 0) * 4;
  return freeBytes(tempDir) > needed * 1.1 + 256 * 2 ** 20 ? 'spill' : 'rerun';
}
