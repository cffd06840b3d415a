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
  /** Windows per onnxruntime run (default: see perplexity). */
  batch?: number;
}

/** The evaluation text as token ids, with its window length: read once, shared by every model of a run. */
export interface EvaluationText {
  tokens: Int32Array;
  file: string;
  seqlen: number;
}

export async function readEvaluationText(model: OnnxModel, opts: Pick<EvaluationOptions, 'text' | 'tokenizer' | 'seqlen'>): Promise<EvaluationText> {
  const stream = readModelTokens(model, opts.text, opts.tokenizer);
  return { tokens: stream.tokens, file: stream.file, seqlen: await resolveSeqlen(model, opts.seqlen) };
}

/** Perplexity of `model` on an evaluation text already read (ALGORITHMS.md §3): the same windows for every model. */
export function evaluateOn(model: OnnxModel, text: EvaluationText, opts: Omit<EvaluationOptions, 'text' | 'tokenizer' | 'seqlen'>): Promise<PerplexityResult> {
  return perplexity(model, text.tokens, { ...opts, seqlen: text.seqlen, file: text.file });
}

/** Perplexity of `model` on the evaluation text. */
export async function evaluate(model: OnnxModel, opts: EvaluationOptions): Promise<PerplexityResult> {
  return evaluateOn(model, await readEvaluationText(model, opts), opts);
}
