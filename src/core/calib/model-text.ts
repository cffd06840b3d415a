import { UserError } from '../errors';
import type { OnnxModel } from '../onnx/model-file';
import { modelContextLength, modelVocabSize } from '../onnx/model-inputs';
import { readTokens, type TokenStream } from './token-source';

/** Reads a text or token-id file for `model`: its vocabulary, and a tokenizer.json beside it. */
export function readModelTokens(model: OnnxModel, file: string, tokenizer?: string): TokenStream {
  return readTokens(file, { vocabSize: modelVocabSize(model) ?? undefined, modelDir: model.dir, tokenizer });
}

/** The window length: the one given, else the model's context length, else an error asking for it. */
export async function resolveSeqlen(model: OnnxModel, given?: number): Promise<number> {
  if (given !== undefined) return given;
  const context = await modelContextLength(model);
  if (context === null) throw new UserError(`${model.path}: the model does not say its context length`, 'pass --seqlen N (or put a config.json with n_positions next to the model)');
  return context;
}
