/**
 * Measured latency: time an ONNX skeleton with onnxruntime on this machine, batch 1.
 * Prefill feeds `seqLen` tokens over an empty cache; decode (skeletons with a KV cache) feeds one
 * token over a cache of `seqLen` − 1 tokens (so it attends to `seqLen` positions, as the roofline's). Each figure is the median of `runs` after `warmup` runs.
 */
import * as ort from 'onnxruntime-node';
import { throwIfAborted } from '../errors';
import { providerError } from '../calib/model-session';
import type { JobOptions } from '../progress';

export interface MeasureOptions extends JobOptions {
  seqLen: number;
  runs?: number;
  warmup?: number;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number;
  /** onnxruntime-node execution providers in order of preference (default: onnxruntime's, cpu). */
  executionProviders?: string[];
}

export interface MeasuredLatency {
  prefillMs: number;
  /** Only for skeletons with a KV cache. */
  decodeMs?: number;
  runs: number;
  threads?: number;
  /** The execution providers the session was asked for (['cpu'] when none were named). */
  executionProviders: string[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Feeds: `tokens` deterministic token ids, and zero past key/values of length `past`. */
function feeds(session: ort.InferenceSession, tokens: number, past: number, vocab: number): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: tokens }, (_, i) => BigInt((i * 7919) % vocab)), [1, tokens]),
  };
  for (const name of session.inputNames) {
    if (name === 'input_ids') continue;
    const meta = session.inputMetadata.find((m) => m.name === name);
    const shape = meta && meta.isTensor ? meta.shape : [];
    const dims = shape.map((d) => (typeof d === 'number' ? d : d === 'past_sequence' ? past : 1));
    out[name] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }
  return out;
}

async function timeRuns(session: ort.InferenceSession, f: Record<string, ort.Tensor>, runs: number, warmup: number, opts: JobOptions, stage: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    throwIfAborted(opts.signal);
    const t0 = performance.now();
    await session.run(f);
    if (i >= warmup) times.push(performance.now() - t0);
    opts.onProgress?.({ stage, done: i + 1, total: warmup + runs });
  }
  return median(times);
}

export async function measureLatency(modelPath: string, vocabSize: number, opts: MeasureOptions): Promise<MeasuredLatency> {
  const runs = opts.runs ?? 5;
  const warmup = opts.warmup ?? 2;
  const providers = opts.executionProviders;
  const session = await ort.InferenceSession.create(modelPath, { graphOptimizationLevel: 'all', ...(providers && { executionProviders: providers }), ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}) }).catch((e: Error) => {
    throw providerError(e, providers, modelPath) ?? e;
  });
  try {
    const prefillMs = await timeRuns(session, feeds(session, opts.seqLen, 0, vocabSize), runs, warmup, opts, 'measuring prefill');
    const hasCache = session.inputNames.some((n) => n.startsWith('past_key_values.'));
    const decodeMs = hasCache ? await timeRuns(session, feeds(session, 1, opts.seqLen - 1, vocabSize), runs, warmup, opts, 'measuring decode') : undefined;
    return { prefillMs, decodeMs, runs, threads: opts.threads, executionProviders: providers ?? ['cpu'] };
  } finally {
    await session.release();
  }
}
