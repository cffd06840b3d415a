// The ONNX layer on models exported by torch.onnx (the committed demo and test models, when present):
// layer discovery sees every block, lm_head is the vocabulary projection, and a round trip is exact.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findLinearLayers } from '../../../src/core/onnx/linear-layers';
import { loadModel } from '../../../src/core/onnx/model-file';
import { makeFeeds, modelVocabSize } from '../../../src/core/onnx/model-inputs';
import { saveModel } from '../../../src/core/onnx/save-model';
import { randomTokens, runOrt, tempDir } from '../../fixtures/ort-run';

const root = join(__dirname, '..', '..', '..');
const models = ['demo', 'test/fixtures/models']
  .map((d) => join(root, d))
  .filter((d) => existsSync(d))
  .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.onnx')).map((f) => join(d, f)));

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

for (const path of models) {
  test(`exported model ${path.slice(root.length + 1)}: blocks, siblings, lm_head, exact round trip`, async () => {
    const model = await loadModel(path);
    const scan = findLinearLayers(model);
    const vocab = modelVocabSize(model);
    assert.ok(vocab !== null);
    assert.equal(scan.lmHead?.N, vocab);
    assert.ok(scan.layers.length > 0 && scan.layers.every((l) => l.block !== null));
    const blocks = [...new Set(scan.layers.map((l) => l.blockIndex))];
    assert.deepEqual(blocks, blocks.map((_, i) => i), 'blocks 0..B-1 in graph order');
    const perBlock = scan.layers.length / blocks.length;
    assert.ok(Number.isInteger(perBlock) && perBlock >= 4, 'the same projections in every block');
    assert.ok(scan.siblings.every((g) => g.length >= 1) && scan.siblings.flat().length === scan.layers.length);
    const out = join(dir, 'copy.onnx');
    await saveModel(model, out);
    const feeds = () => makeFeeds(model, randomTokens(2 * 16, vocab!), 2, 16);
    assert.deepEqual(await runOrt(out, feeds()), await runOrt(path, feeds()));
  });
}
