import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Arch, ModelSpec } from '../../../src/core/merino/architecture';
import { countFlops, countParams } from '../../../src/core/merino/cost-model';

const uniform = (layers: number, width: number, heads: number, ffnDim: number): Arch => ({
  blocks: [{ layers, width, heads, ffnDim, shared: false }],
});

const gpt2Model: ModelSpec = {
  vocabSize: 50257, context: 1024, tiedEmbeddings: true, norm: 'layernorm', mlp: 'gelu',
  biases: true, positions: 'learned', positionOffset: 0, finalNorm: true,
};
const optModel: ModelSpec = { ...gpt2Model, vocabSize: 50272, context: 2048, positionOffset: 2, mlp: 'relu' };
const llamaModel: ModelSpec = {
  vocabSize: 32000, context: 2048, tiedEmbeddings: false, norm: 'rmsnorm', mlp: 'swiglu',
  biases: false, positions: 'rope', positionOffset: 0, finalNorm: true,
};

test('GPT-2 small has 124,439,808 parameters', () => {
  assert.equal(countParams(uniform(12, 768, 12, 3072), gpt2Model), 124_439_808);
});

test('OPT-125m has 125,239,296 parameters', () => {
  assert.equal(countParams(uniform(12, 768, 12, 3072), optModel), 125_239_296);
});

test('LLaMA-7B has 6,738,415,616 parameters', () => {
  assert.equal(countParams(uniform(32, 4096, 32, 11008), llamaModel), 6_738_415_616);
});

test('shared layers count parameters once but FLOPs L times', () => {
  const dense = uniform(6, 256, 4, 1024);
  const shared: Arch = { blocks: [{ ...dense.blocks[0], shared: true }] };
  const perLayer = 12 * 256 * 256 + 13 * 256; // 4E²+4E attention, 8E²+5E MLP, 2×2E layernorms
  assert.equal(countParams(dense, gpt2Model) - countParams(shared, gpt2Model), 5 * perLayer);
  assert.equal(countFlops(dense, gpt2Model, 128), countFlops(shared, gpt2Model, 128));
});

test('GPT-2 small FLOPs at S tokens: projections, full attention and lm_head', () => {
  const S = 1024, E = 768, L = 12, V = 50257;
  const macs = S * L * 12 * E * E + L * 2 * S * S * E + S * E * V;
  assert.equal(countFlops(uniform(12, 768, 12, 3072), gpt2Model, S), 2 * macs);
});

test('a width change inserts a projection counted in params and FLOPs', () => {
  const m: ModelSpec = { ...gpt2Model, vocabSize: 1000, context: 64, tiedEmbeddings: false };
  const twoBlocks: Arch = { blocks: [{ layers: 1, width: 128, heads: 2, ffnDim: 256, shared: false }, { layers: 1, width: 192, heads: 3, ffnDim: 384, shared: false }] };
  const layer = (E: number, F: number) => 4 * (E * E + E) + (E * F + F) + (F * E + E) + 4 * E;
  const expected = 1000 * 128 + 64 * 128 + layer(128, 256) + (128 * 192 + 192) + layer(192, 384) + 2 * 192 + 192 * 1000;
  assert.equal(countParams(twoBlocks, m), expected);
  // Tied: lm_head reads the embedding width, so a projection back to 128 is added instead of a [192, V] head.
  const tied = countParams(twoBlocks, { ...m, tiedEmbeddings: true });
  assert.equal(tied, expected - 192 * 1000 + (192 * 128 + 128));
});

test('summarizeDesign gives the arch and the search-space extremes, smallest below largest', async () => {
  const { parseMerinoText } = await import('../../../src/core/config/merino-document');
  const { summarizeDesign } = await import('../../../src/core/merino/design-summary');
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(`${__dirname}/../../../examples/gpt2-small.merino.json`, 'utf8');
  const s = summarizeDesign(parseMerinoText(text).config);
  assert.equal(s.arch!.estimate.params, 124_439_808);
  assert.ok(s.smallest!.estimate.params < s.arch!.estimate.params && s.arch!.estimate.params < s.largest!.estimate.params);
  // Smallest of [4, 12] layers of width 512 (8 heads × 64): 1 block of 4 layers.
  assert.deepEqual(s.smallest!.arch.blocks, [{ layers: 4, width: 512, heads: 8, ffnDim: 2048, shared: false }]);
});

test('shapeKey merges consecutive unshared blocks of equal width and FFN, and ignores heads', async () => {
  const { shapeKey } = await import('../../../src/core/merino/architecture');
  const b = (layers: number, width: number, heads: number, shared = false) => ({ layers, width, heads, ffnDim: 4 * width, shared });
  assert.equal(shapeKey({ blocks: [b(8, 384, 4), b(7, 384, 12)] }), shapeKey({ blocks: [b(7, 384, 12), b(8, 384, 4)] }));
  assert.equal(shapeKey({ blocks: [b(8, 384, 4), b(7, 384, 12)] }), '15x384f1536');
  assert.notEqual(shapeKey({ blocks: [b(8, 384, 4), b(7, 448, 4)] }), shapeKey({ blocks: [b(7, 448, 4), b(8, 384, 4)] }));
  assert.notEqual(shapeKey({ blocks: [b(2, 384, 4, true), b(2, 384, 4, true)] }), shapeKey({ blocks: [b(4, 384, 4, true)] }));
});
