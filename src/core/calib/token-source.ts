import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors';
import { isTokenIdFile, readTokenIdFile } from './token-id-file';
import { encodeText, loadTokenizer } from './tokenizer-json';

export interface TokenSourceOptions {
  /** The model's vocabulary size (last dim of its logits); ids must lie in [0, vocabSize). */
  vocabSize?: number;
  /** The model's folder: a `tokenizer.json` there is used when `tokenizer` is not given. */
  modelDir?: string;
  /** An explicit tokenizer.json. */
  tokenizer?: string;
}

/** How a file became token ids. */
export type TokenEncoding = { kind: 'ids' } | { kind: 'tokenizer'; tokenizer: string } | { kind: 'bytes' };

export interface TokenStream {
  file: string;
  tokens: Int32Array;
  encoding: TokenEncoding;
}

/**
 * Reads a calibration or evaluation file as one stream of token ids: `.json`/`.jsonl` files hold ids;
 * text is tokenized with `tokenizer` (or a tokenizer.json next to the model), or taken as UTF-8
 * bytes when the model's vocabulary is 256. Ids outside the vocabulary are an error.
 */
export function readTokens(path: string, opts: TokenSourceOptions = {}): TokenStream {
  const file = resolve(path);
  if (!existsSync(file)) throw new UserError(`${file}: no such file`, 'check the text file path');
  const stream = isTokenIdFile(file) ? { file, tokens: readTokenIdFile(file), encoding: { kind: 'ids' } as const } : readText(file, opts);
  if (stream.tokens.length === 0) throw new UserError(`${file}: no tokens`, 'give a non-empty text or token file');
  checkVocabulary(stream.tokens, opts.vocabSize, file);
  return stream;
}

function readText(file: string, opts: TokenSourceOptions): TokenStream {
  const tokenizer = chooseTokenizer(opts);
  if (tokenizer) {
    return { file, tokens: encodeText(loadTokenizer(tokenizer), readFileSync(file, 'utf8'), tokenizer), encoding: { kind: 'tokenizer', tokenizer } };
  }
  if (opts.vocabSize === 256) return { file, tokens: Int32Array.from(readFileSync(file)), encoding: { kind: 'bytes' } };
  throw new UserError(
    `${file}: cannot tokenize text for a model with a vocabulary of ${opts.vocabSize ?? 'unknown size'}`,
    'pass --tokenizer path/to/tokenizer.json, put tokenizer.json next to the model, or give a .jsonl file of token ids',
  );
}

function chooseTokenizer(opts: TokenSourceOptions): string | undefined {
  if (opts.tokenizer !== undefined) {
    const path = resolve(opts.tokenizer);
    if (!existsSync(path)) throw new UserError(`${path}: no such tokenizer file`, 'check the --tokenizer path');
    return path;
  }
  const beside = opts.modelDir ? join(opts.modelDir, 'tokenizer.json') : undefined;
  return beside && existsSync(beside) ? beside : undefined;
}

/** Every id must be an index into the model's vocabulary. */
export function checkVocabulary(tokens: Int32Array, vocabSize: number | undefined, file: string): void {
  if (vocabSize === undefined) return;
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i]!;
    if (id < 0 || id >= vocabSize) {
      throw new UserError(`${file}: token id ${id} at position ${i} is outside the model's vocabulary [0, ${vocabSize})`, 'the tokens were made with another tokenizer');
    }
  }
}
