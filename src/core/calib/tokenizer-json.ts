import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { UserError } from '../errors';

/** Reads a JSON file, failing with a message that names it. */
function readJson(path: string, what: string): object {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as object;
  } catch (e) {
    throw new UserError(`${path}: the ${what} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Loads a Hugging Face `tokenizer.json` (and the `tokenizer_config.json` beside it, if any) with
 * @huggingface/tokenizers.
 */
export function loadTokenizer(path: string): Tokenizer {
  const json = readJson(path, 'tokenizer');
  const configPath = join(dirname(path), 'tokenizer_config.json');
  const config = existsSync(configPath) ? readJson(configPath, 'tokenizer config') : {};
  try {
    return new Tokenizer(json, config);
  } catch (e) {
    throw new UserError(`${path}: not a usable tokenizer.json (${(e as Error).message})`, 'give the tokenizer.json of the model');
  }
}

/**
 * Token ids of `text` as `tokenizer(text)` gives them in Hugging Face (special tokens such as a
 * leading BOS added by the tokenizer's post-processor, as the usual perplexity evaluation does).
 */
export function encodeText(tokenizer: Tokenizer, text: string, path: string): Int32Array {
  const { ids, tokens } = tokenizer.encode(text);
  const bad = ids.findIndex((id) => !Number.isInteger(id));
  if (bad >= 0) throw new UserError(`${path}: the tokenizer gives no id for the piece ${JSON.stringify(tokens[bad])}`, 'the tokenizer model type may be unsupported by @huggingface/tokenizers, or it lacks an unknown token');
  return Int32Array.from(ids);
}
