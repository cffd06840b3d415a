import type * as ort from 'onnxruntime-node';
import { throwIfAborted, UserError } from '../errors';
import type { JobOptions } from '../progress';
import { windowBatch, type TokenWindows } from '../calib/sampling';
import { feedsFor, float32Data } from '../calib/model-session';
import type { OnnxModel } from '../onnx/model-file';
import { makeFeeds } from '../onnx/model-inputs';
import type { ActivationTap } from './activation-taps';

/** Receives one batch's activation of one tap as row-major [rows, K] fp32. */
export type TapConsumer = (tapIndex: number, data: Float32Array) => void;

/**
 * Runs the windows through `session` `batch` windows at a time, fetching the taps' outputs
 * (`fetch`: tensor → output name) and handing each to `consume` in tap order. Progress counts
 * windows under `stage`; the signal is checked between batches.
 */
export async function forwardTaps(
  model: OnnxModel,
  session: ort.InferenceSession,
  windows: TokenWindows,
  taps: readonly ActivationTap[],
  fetch: Map<string, string>,
  batch: number,
  stage: string,
  consume: TapConsumer,
  opts: JobOptions,
): Promise<void> {
  const names = taps.map((t) => fetch.get(t.tensor)!);
  const { samples, seqlen } = windows;
  opts.onProgress?.({ stage, done: 0, total: samples });
  for (let first = 0; first < samples; first += batch) {
    throwIfAborted(opts.signal);
    const count = Math.min(batch, samples - first);
    const feeds = feedsFor(session, makeFeeds(model, windowBatch(windows, first, count), count, seqlen));
    const out = await session.run(feeds, names);
    taps.forEach((tap, i) => consume(i, tapData(out[names[i]!]!, tap, model.path)));
    opts.onProgress?.({ stage, done: first + count, total: samples });
  }
}

function tapData(tensor: ort.Tensor, tap: ActivationTap, modelPath: string): Float32Array {
  const last = tensor.dims[tensor.dims.length - 1];
  if (last !== tap.channels) {
    throw new UserError(`${modelPath}: activation "${tap.tensor}" has shape [${tensor.dims.join(', ')}], expected last dim ${tap.channels} (the K of ${tap.layers.join(', ')})`);
  }
  return float32Data(tensor, tap.tensor);
}
