import { writeFileSync } from 'node:fs';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz.'.split('');
const MERGES = ['t h', 'th e', 'a t', 'c at', 's at'];

/** Token ids of the small BPE fixture: [UNK] = 0, letters from 1, then the merged pieces. */
export const FIXTURE_VOCAB: Record<string, number> = Object.fromEntries([
  ['[UNK]', 0],
  ...LETTERS.map((c, i) => [c, i + 1]),
  ...MERGES.map((m, i) => [m.replace(' ', ''), LETTERS.length + 1 + i]),
]);

export const FIXTURE_VOCAB_SIZE = Object.keys(FIXTURE_VOCAB).length;

/** Writes a real Hugging Face tokenizer.json (BPE, whitespace pre-tokenizer) to `path`. */
export function writeTokenizerFixture(path: string): string {
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 0, content: '[UNK]', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'BPE', dropout: null, unk_token: '[UNK]', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab: FIXTURE_VOCAB, merges: MERGES },
  };
  writeFileSync(path, JSON.stringify(json));
  return path;
}
