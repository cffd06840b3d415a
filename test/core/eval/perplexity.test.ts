import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { CancelledError } from '../../../src/core/errors';
import { loadModel } from '../../../src/core/onnx/model-file';
import { makeFeeds } from '../../../src/core/onnx/model-inputs';
import { perplexity } from '../../../src/core/eval/perplexity';
import { fixtureModel } from '../stats/calibration-fixture';
import { seededRandom } from '../../fixtures/onnx-builder';

const rand = seededRandom(42);
/** A byte stream with some structure (a repeated phrase with random noise). */
const stream = Int32Array.from({ length: 1000 }, (_, i) => (rand() < 0.7 ? 'the quick brown fox '.charCodeAt(i % 20) : Math.floor(rand() * 256)));

/**
 * Reference: the unmodified model run by a plain session window by window; p(token) from the
 * softmax probabilities, then ln p.
 */
async function referencePpl(path: string, seqlen: number, windows: number): Promise<number> {
  const model = await loadModel(path);
  const session = await ort.InferenceSession.create(path);
  let sum = 0;
  for (let w = 0; w < windows; w++) {
    const ids = stream.slice(w * seqlen, (w + 1) * seqlen);
    const logits = (await session.run(makeFeeds(model, ids, 1, seqlen))).logits!;
    const V = logits.dims[2]!;
    const data = logits.data as Float32Array;
    for (let t = 0; t + 1 < seqlen; t++) {
      const row = Array.from(data.subarray(t * V, (t + 1) * V));
      const m = Math.max(...row);
      const probs = row.map((x) => Math.exp(x - m));
      const z = probs.reduce((a, b) => a + b, 0);
      sum += -Math.log(probs[ids[t + 1]!]! / z);
    }
  }
  return Math.exp(sum / (windows * (seqlen - 1)));
}

test('perplexity matches an independent computation from the logits', async () => {
  const model = await fixtureModel('basic');
  const result = await perplexity(model, stream, { seqlen: 64 });
  assert.equal(result.windows, 15, 'the partial last window is dropped');
  assert.equal(result.predictions, 15 * 63);
  assert.equal(result.tokens, 15 * 64);
  const ref = await referencePpl(model.path, 64, 15);
  assert.ok(Math.abs(result.ppl - ref) / ref < 1e-9, `${result.ppl} vs ${ref}`);
  assert.ok(result.ppl > 1 && result.ppl < 1000);
});

test('maxWindows keeps the first windows; batching does not change the result', async () => {
  const model = await fixtureModel('minimal');
  const three = await perplexity(model, stream, { seqlen: 32, maxWindows: 3, batch: 1 });
  assert.equal(three.windows, 3);
  const ref = await referencePpl(model.path, 32, 3);
  assert.ok(Math.abs(three.ppl - ref) / ref < 1e-9);
  const batched = await perplexity(model, stream, { seqlen: 32, maxWindows: 3, batch: 2 });
  assert.ok(Math.abs(batched.ppl - three.ppl) / three.ppl < 1e-6);
});

test('evaluation reports progress and can be cancelled', async () => {
  const model = await fixtureModel('basic');
  const controller = new AbortController();
  const seen: number[] = [];
  const job = perplexity(model, stream, { seqlen: 16, batch: 1, signal: controller.signal, onProgress: (p) => (seen.push(p.done), p.done === 2 && controller.abort()) });
  await assert.rejects(job, CancelledError);
  assert.deepEqual(seen, [0, 1, 2]);
});

test('a text shorter than one window is a clear error', async () => {
  const model = await fixtureModel('basic');
  await assert.rejects(perplexity(model, stream.subarray(0, 10), { seqlen: 16, file: 'tiny.txt' }), /tiny\.txt: 10 tokens, shorter than one window of 16/);
});
