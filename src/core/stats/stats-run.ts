import type * as ort from 'onnxruntime-node';
import { UserError } from '../errors';
import type { JobOptions } from '../progress';
import type { TokenWindows } from '../calib/sampling';
import { float32Data, type SessionOptions } from '../calib/model-session';
import type { OnnxModel } from '../onnx/model-file';
import type { ActivationTap } from './activation-taps';
import type { ChannelStats } from './channel-stats';
import type { StatsKernels } from './stats-kernels';
import type { TapModel } from './tap-model';

/**
 * How the exact histogram gets the final min/max: `staged` runs the graph one stage (a few blocks)
 * at a time over all windows and keeps that stage's activations in memory; `spill` writes pass 1's
 * activations to a private temp file and reads them back; `rerun` runs the forward again; `auto`
 * picks staged when the graph can be cut into stages that fit in memory, else spill when the temp
 * folder has room, else rerun; `none` skips the histogram (sum of squares only).
 */
export type HistogramPass = 'staged' | 'spill' | 'rerun' | 'auto' | 'none';

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
  /** Most activation bytes one stage of the staged pass holds (default 256 MiB; at least one tap). */
  stageBytes?: number;
  /**
   * Threads that take a staged pass's statistics: 2 = a worker, which sweeps and counts each stage
   * while this thread runs the next, this thread helping with what is left (default when a stage
   * holds 4 Mi values or more and the worker's memory holds two stages); 1 = this thread only
   * (default otherwise: starting a worker costs more than small stages take).
   */
  countThreads?: 1 | 2;
}

/** Everything one statistics run needs: the tap graph, its session options and the running statistics. */
export interface StatsRun {
  model: OnnxModel;
  tapModel: TapModel;
  windows: TokenWindows;
  taps: ActivationTap[];
  /** Output name of each tap's activation, in tap order. */
  raw: string[];
  kernels: StatsKernels;
  all: ChannelStats[];
  opts: StatsRunOptions & { bins: number; batch: number };
}

/** A tap's activation as fp32, checked against the layer's K. */
export function tapData(run: StatsRun, out: ort.InferenceSession.OnnxValueMapType, i: number): Float32Array {
  const tap = run.taps[i]!;
  const tensor = out[run.raw[i]!]!;
  if (tensor.dims.at(-1) !== tap.channels) {
    throw new UserError(`${run.model.path}: activation "${tap.tensor}" has shape [${tensor.dims.join(', ')}], expected last dim ${tap.channels} (the K of ${tap.layers.join(', ')})`);
  }
  return float32Data(tensor, tap.tensor);
}

/** Copies `data` (tap `tap`'s activation) into the kernels' input area at float `offset`; returns that view. */
export function kernelCopy(run: StatsRun, data: Float32Array, tap: number, offset = 0): Float32Array {
  const input = run.kernels.input(data.length, run.taps[tap]!.channels, run.opts.bins, offset);
  input.set(data);
  return input;
}
