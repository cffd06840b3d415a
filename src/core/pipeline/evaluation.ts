import type { JobOptions } from '../progress';
import { readModelTokens, resolveSeqlen } from '../calib/model-text';
import type { SessionOptions } from '../calib/model-session';
import type { OnnxModel } from '../onnx/model-file';
import { perplexity, type PerplexityResult } from '../eval/perplexity';

export interface EvaluationOptions extends SessionOptions, JobOptions {
  /** Evaluation text (or token-id file). */
  text: string;
  tokenizer?: string;
  seqlen?: number;
  maxWindows?: number;
}

/** Perplexity of `model` on the evaluation text (ALGORITHMS.md §3); the same windows for every model of a run. */
export async function evaluate(model: OnnxModel, opts: EvaluationOptions): Promise<PerplexityResult> {
  const stream = readModelTokens(model, opts.text, opts.tokenizer);
  const seqlen = await resolveSeqlen(model, opts.seqlen);
  return perplexity(model, stream.tokens, { ...opts, seqlen, file: stream.file });
}
