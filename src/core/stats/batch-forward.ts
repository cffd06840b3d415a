import type * as ort from 'onnxruntime-node';
import { throwIfAborted } from '../errors';
import type { JobOptions } from '../progress';
import { windowBatch, type TokenWindows } from '../calib/sampling';
import { feedsFor } from '../calib/model-session';
import type { OnnxModel } from '../onnx/model-file';
import { makeFeeds } from '../onnx/model-inputs';

/** Receives the fetched outputs of windows `first .. first+count−1`. */
export type BatchConsumer = (outputs: ort.InferenceSession.OnnxValueMapType, first: number, count: number) => void;

/**
 * Runs the windows through `session` `batch` windows at a time, fetching `fetches`, and hands each
 * batch's outputs to `consume`. Progress counts windows under `stage`; the signal is checked
 * between batches.
 */
export async function forwardBatches(
  model: OnnxModel,
  session: ort.InferenceSession,
  windows: TokenWindows,
  fetches: string[],
  batch: number,
  stage: string,
  consume: BatchConsumer,
  opts: JobOptions,
): Promise<void> {
  const { samples, seqlen } = windows;
  opts.onProgress?.({ stage, done: 0, total: samples });
  for (let first = 0; first < samples; first += batch) {
    throwIfAborted(opts.signal);
    const count = Math.min(batch, samples - first);
    const feeds = feedsFor(session, makeFeeds(model, windowBatch(windows, first, count), count, seqlen));
    consume(await session.run(feeds, fetches), first, count);
    opts.onProgress?.({ stage, done: first + count, total: samples });
  }
}
