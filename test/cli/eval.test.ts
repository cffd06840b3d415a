import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { merino } from './run-cli';
import { perplexity } from '../../src/core/eval/perplexity';
import { loadModel } from '../../src/core/onnx/model-file';
import { writeFixture } from '../fixtures/build-fixtures';
import { seededRandom } from '../fixtures/onnx-builder';

const dir = mkdtempSync(join(tmpdir(), 'merino-cli-eval-'));
const rand = seededRandom(9);
const textPath = join(dir, 'eval.txt');
writeFileSync(textPath, Uint8Array.from({ length: 700 }, () => 97 + Math.floor(rand() * 26)));

test('merino eval prints the perplexity; --json gives the figures of the core computation', async () => {
  const model = await writeFixture(dir, 'basic');
  const r = merino('eval', model, '--text', textPath, '--seqlen', '64', '--json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  const expected = await perplexity(await loadModel(model), Int32Array.from(readFileSync(textPath)), { seqlen: 64 });
  assert.deepEqual(Object.keys(json).sort(), ['nll', 'ppl', 'predictions', 'seqlen', 'tokens', 'windows']);
  assert.equal(json.windows, 10);
  assert.equal(json.predictions, 630);
  assert.ok(Math.abs(json.ppl - expected.ppl) < 1e-9 * expected.ppl);
  assert.match(r.stderr, /evaluating 10\/10/);
  const plain = merino('eval', model, '--text', textPath, '--seqlen', '64', '--max-windows', '2');
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /^perplexity \d+\.\d{4} \(2 windows of 64 tokens, 126 predictions\)\n$/);
});

test('merino eval errors: one line naming the file and the fix, exit 1', async () => {
  const model = await writeFixture(dir, 'minimal');
  const cases: [string[], RegExp][] = [
    [['eval', model, '--text', textPath], /does not say its context length.*--seqlen/],
    [['eval', model], /missing --text/],
    [['eval', model, '--text', join(dir, 'nope.txt'), '--seqlen', '8'], /nope\.txt: no such file/],
    [['eval', model, '--text', textPath, '--seqlen', '1000'], /eval\.txt: 700 tokens, shorter than one window of 1000/],
    [['eval', join(dir, 'eval.txt'), '--text', textPath], /eval\.txt: cannot parse ONNX|not a complete ONNX/],
  ];
  writeFileSync(join(dir, 'ids.jsonl'), '[1, 2, 256]\n');
  cases.push([['eval', model, '--text', join(dir, 'ids.jsonl'), '--seqlen', '2'], /ids\.jsonl: token id 256 at position 2 is outside/]);
  for (const [args, pattern] of cases) {
    const r = merino(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

const demo = join(__dirname, '../../demo');
const noDemo = !existsSync(join(demo, 'tiny-gpt.onnx')) && 'the demo model is not built (scripts/train_demo_models.py)';

test('merino eval on the demo model reproduces the PyTorch perplexity (whole eval text, 1e-3 relative)', { skip: noDemo }, () => {
  const reference = JSON.parse(readFileSync(join(demo, 'reference.json'), 'utf8')) as { ppl: number; windows: number; predictions: number };
  const r = merino('eval', join(demo, 'tiny-gpt.onnx'), '--text', join(demo, 'eval.txt'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.windows, reference.windows);
  assert.equal(json.predictions, reference.predictions);
  assert.ok(Math.abs(json.ppl - reference.ppl) / reference.ppl < 1e-3, `${json.ppl} vs ${reference.ppl}`);
});
