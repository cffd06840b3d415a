import type * as ort from 'onnxruntime-node';
import { throwIfAborted, UserError } from '../errors';
import type { JobOptions } from '../progress';
import { consecutiveWindows, windowBatch, type TokenWindows } from '../calib/sampling';
import { feedsFor, float32Data, openSession, type SessionOptions } from '../calib/model-session';
import type { OnnxModel } from '../onnx/model-file';
import { makeFeeds, modelVocabSize } from '../onnx/model-inputs';
import { buildTapModel } from '../stats/tap-model';
import { logProbability } from './log-softmax';

export interface PerplexityOptions extends JobOptions, SessionOptions {
  /** Window length S in tokens. */
  seqlen: number;
  /** Evaluate only the first windows. */
  maxWindows?: number;
  /** Windows per onnxruntime run (default: as many as keep the logits under 256 MiB, at most 16). */
  batch?: number;
  /** The file the tokens came from, for error messages. */
  file?: string;
}

export interface PerplexityResult {
  ppl: number;
  /** Mean negative log-likelihood per prediction (nats). */
  nll: number;
  /** Tokens evaluated: windows × seqlen. */
  tokens: number;
  windows: number;
  /** windows × (seqlen − 1). */
  predictions: number;
  seqlen: number;
}

const LOGITS_BUDGET_BYTES = 256 * 2 ** 20;

/**
 * Perplexity as ALGORITHMS.md §3: non-overlapping windows of S tokens, the logits at positions
 * 0..S−2 predict tokens 1..S−1, ppl = exp(mean −ln p), natural log, accumulated in float64.
 * The graph is cut to the logits output only (no KV-cache outputs are computed).
 */
export async function perplexity(model: OnnxModel, tokens: Int32Array, opts: PerplexityOptions): Promise<PerplexityResult> {
  const windows = consecutiveWindows(tokens, opts.seqlen, opts.file ?? 'the evaluation text', opts.maxWindows);
  const logits = logitsOutput(model);
  const session = await openSession(model, buildTapModel(model.proto, [logits]).proto, opts);
  try {
    const nll = await windowsNll(model, session, logits, windows, opts);
    const predictions = windows.samples * (windows.seqlen - 1);
    const mean = nll / predictions;
    return { ppl: Math.exp(mean), nll: mean, tokens: windows.samples * windows.seqlen, windows: windows.samples, predictions, seqlen: windows.seqlen };
  } finally {
    await session.release();
  }
}

/** The model's logits: the graph output named `logits`, else its first output. */
export function logitsOutput(model: OnnxModel): string {
  const outputs = model.proto.graph!.output;
  const name = outputs.find((o) => o.name === 'logits')?.name ?? outputs[0]?.name;
  if (!name) throw new UserError(`${model.path}: the model has no outputs`);
  return name;
}

/** Σ −ln p over every prediction of every window. */
async function windowsNll(model: OnnxModel, session: ort.InferenceSession, logits: string, windows: TokenWindows, opts: PerplexityOptions): Promise<number> {
  const { samples, seqlen } = windows;
  const batch = opts.batch ?? defaultBatch(seqlen, modelVocabSize(model));
  let total = 0;
  opts.onProgress?.({ stage: 'evaluating', done: 0, total: samples });
  for (let first = 0; first < samples; first += batch) {
    throwIfAborted(opts.signal);
    const count = Math.min(batch, samples - first);
    const ids = windowBatch(windows, first, count);
    const out = await session.run(feedsFor(session, makeFeeds(model, ids, count, seqlen)), [logits]);
    const { data, vocab } = checkLogits(out[logits]!, count, seqlen, model.path);
    total += batchNll(data, vocab, ids, count, seqlen, model.path);
    opts.onProgress?.({ stage: 'evaluating', done: first + count, total: samples });
  }
  return total;
}

/** As many windows as keep one run's fp32 logits under 256 MiB, 1 to 16. */
function defaultBatch(seqlen: number, vocab: number | null): number {
  return vocab ? Math.max(1, Math.min(16, Math.floor(LOGITS_BUDGET_BYTES / (seqlen * vocab * 4)))) : 1;
}

function checkLogits(tensor: ort.Tensor, count: number, seqlen: number, modelPath: string): { data: Float32Array; vocab: number } {
  const dims = tensor.dims;
  const vocab = dims[dims.length - 1]!;
  if (dims.length !== 3 || dims[0] !== count || dims[1] !== seqlen) {
    throw new UserError(`${modelPath}: logits have shape [${dims.join(', ')}], expected [${count}, ${seqlen}, vocab]`);
  }
  return { data: float32Data(tensor, 'logits'), vocab };
}

function batchNll(data: Float32Array, vocab: number, ids: Int32Array, count: number, seqlen: number, modelPath: string): number {
  let nll = 0;
  for (let w = 0; w < count; w++) {
    for (let t = 0; t < seqlen - 1; t++) {
      const target = ids[w * seqlen + t + 1]!;
      if (target >= vocab) throw new UserError(`${modelPath}: token id ${target} is outside the model's vocabulary of ${vocab}`);
      nll -= logProbability(data, (w * seqlen + t) * vocab, vocab, target);
    }
  }
  return nll;
}
