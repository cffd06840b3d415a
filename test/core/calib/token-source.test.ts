import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/core/errors';
import { readTokens } from '../../../src/core/calib/token-source';
import { FIXTURE_VOCAB as V, FIXTURE_VOCAB_SIZE, writeTokenizerFixture } from './tokenizer-fixture';

const dir = mkdtempSync(join(tmpdir(), 'merino-tokens-'));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

test('a byte-level model reads text as its UTF-8 bytes', () => {
  const s = readTokens(file('bytes.txt', 'hé!'), { vocabSize: 256 });
  assert.deepEqual([...s.tokens], [0x68, 0xc3, 0xa9, 0x21]);
  assert.equal(s.encoding.kind, 'bytes');
});

test('text is tokenized with an explicit tokenizer.json', () => {
  const tok = writeTokenizerFixture(join(dir, 'explicit-tokenizer.json'));
  const s = readTokens(file('words.txt', 'the cat sat on the mat.'), { vocabSize: FIXTURE_VOCAB_SIZE, tokenizer: tok });
  assert.deepEqual([...s.tokens], [V.the, V.cat, V.sat, V.o, V.n, V.the, V.m, V.at, V['.']]);
  assert.deepEqual(s.encoding, { kind: 'tokenizer', tokenizer: tok });
});

test('a tokenizer.json next to the model is used, even for a vocabulary of 256', () => {
  const modelDir = mkdtempSync(join(dir, 'model-'));
  writeTokenizerFixture(join(modelDir, 'tokenizer.json'));
  const s = readTokens(file('cat.txt', 'cat'), { vocabSize: 256, modelDir });
  assert.deepEqual([...s.tokens], [V.cat]);
});

test('.jsonl and .json files hold token ids, concatenated in order', () => {
  assert.deepEqual([...readTokens(file('ids.jsonl', '[1, 2, 3]\n\n[4]\n'), { vocabSize: 10 }).tokens], [1, 2, 3, 4]);
  assert.deepEqual([...readTokens(file('nested.json', '[[5, 6], [7]]'), { vocabSize: 10 }).tokens], [5, 6, 7]);
  assert.deepEqual([...readTokens(file('flat.json', '[8, 9]'), { vocabSize: 10 }).tokens], [8, 9]);
});

test('errors name the file and the problem', () => {
  const fails = (path: string, opts: Parameters<typeof readTokens>[1], pattern: RegExp) =>
    assert.throws(() => readTokens(path, opts), (e: Error) => e instanceof UserError && pattern.test(e.message) && e.message.includes(path));
  fails(file('empty.txt', ''), { vocabSize: 256 }, /no tokens/);
  fails(file('empty.jsonl', '\n'), { vocabSize: 256 }, /no tokens/);
  fails(file('big.jsonl', '[1, 300]'), { vocabSize: 256 }, /token id 300 at position 1 is outside the model's vocabulary \[0, 256\)/);
  fails(file('neg.json', '[-1]'), { vocabSize: 256 }, /token id -1/);
  fails(file('float.json', '[1.5]'), { vocabSize: 256 }, /not an integer token id/);
  fails(file('broken.jsonl', '[1, 2'), { vocabSize: 256 }, /line 1 is not valid JSON/);
  fails(file('object.json', '{"ids": [1]}'), { vocabSize: 256 }, /not a JSON array/);
  fails(file('words2.txt', 'hello'), { vocabSize: 50257 }, /cannot tokenize text for a model with a vocabulary of 50257.*--tokenizer/);
  fails(file('words3.txt', 'hello'), {}, /vocabulary of unknown size/);
  assert.throws(() => readTokens(join(dir, 'missing.txt'), { vocabSize: 256 }), /missing\.txt: no such file/);
  assert.throws(() => readTokens(file('w.txt', 'x'), { tokenizer: join(dir, 'nope.json') }), /nope\.json: no such tokenizer file/);
  assert.throws(() => readTokens(file('w4.txt', 'x'), { tokenizer: file('bad-tokenizer.json', '{') }), /bad-tokenizer\.json: the tokenizer is not valid JSON/);
});

test('tokenizer ids beyond the model vocabulary are rejected', () => {
  const tok = writeTokenizerFixture(join(dir, 'small-vocab-tokenizer.json'));
  assert.throws(() => readTokens(file('cat2.txt', 'the cat'), { vocabSize: 10, tokenizer: tok }), /token id 29 at position 0 is outside/);
});
