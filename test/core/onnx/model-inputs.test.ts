import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema, TensorProto_DataType as DT } from 'onnx-buf';
import { UserError } from '../../../src/core/errors';
import { loadModel } from '../../../src/core/onnx/model-file';
import { makeFeeds, modelContextLength, modelVocabSize } from '../../../src/core/onnx/model-inputs';
import { buildDecoderModel, writeFixture, writeModel } from '../../fixtures/build-fixtures';
import { valueInfo } from '../../fixtures/onnx-builder';
import { randomTokens, runOrt, tempDir } from '../../fixtures/ort-run';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

test('KV-cache, mask and position inputs: feeds run in onnxruntime and the empty past is consumed', async () => {
  const model = await loadModel(await writeFixture(dir, 'basic'));
  const tokens = randomTokens(3 * 5, 256);
  const feeds = makeFeeds(model, tokens, 3, 5);
  assert.deepEqual(Object.keys(feeds).sort(), ['attention_mask', 'input_ids', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value', 'position_ids']);
  assert.deepEqual(feeds['past_key_values.0.key']!.dims, [3, 2, 0, 32]);
  assert.deepEqual(Array.from(feeds.position_ids!.data as BigInt64Array, Number), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  assert.ok((feeds.attention_mask!.data as BigInt64Array).every((v) => v === 1n));
  assert.deepEqual(feeds.input_ids!.data, tokens);
  const out = await runOrt(model.path, feeds);
  assert.equal(out.logits!.length, 3 * 5 * 256);
  assert.equal(out['present.1.value']!.length, 3 * 2 * 5 * 32); // total length = 0 past + 5 new
});

test('windows are independent: a batch of two gives the logits of each window alone', async () => {
  const model = await loadModel(await writeFixture(dir, 'basic'));
  const tokens = randomTokens(2 * 6, 256, 9);
  const both = (await runOrt(model.path, makeFeeds(model, tokens, 2, 6))).logits as Float32Array;
  const second = (await runOrt(model.path, makeFeeds(model, tokens.slice(6), 1, 6))).logits as Float32Array;
  const tail = both.subarray(6 * 256);
  for (let i = 0; i < second.length; i++) assert.ok(Math.abs(tail[i]! - second[i]!) < 1e-5);
});

test('int32 input_ids and token_type_ids', async () => {
  const minimal = await loadModel(await writeFixture(dir, 'minimal'));
  const feeds = makeFeeds(minimal, Int32Array.of(1, 2, 3, 4), 1, 4);
  assert.equal(feeds.input_ids!.type, 'int32');
  assert.deepEqual(Object.keys(feeds), ['input_ids']);
  await runOrt(minimal.path, feeds);
  const tt = await loadModel(await writeFixture(dir, 'tokenTypes'));
  const ttFeeds = makeFeeds(tt, randomTokens(4, 256), 1, 4);
  assert.ok((ttFeeds.token_type_ids!.data as BigInt64Array).every((v) => v === 0n));
  await runOrt(tt.path, ttFeeds);
});

test('an input the tool cannot feed is a UserError listing it', async () => {
  const proto = buildDecoderModel({ kvCache: false });
  proto.graph!.input.push(valueInfo('pixel_values', DT.FLOAT, ['batch_size', 3, 224, 224]), valueInfo('encoder_hidden_states', DT.FLOAT, [1, 4]));
  const model = await loadModel(await writeModel(proto, join(dir, 'extra.onnx')));
  assert.throws(() => makeFeeds(model, randomTokens(4, 256), 1, 4), (e: Error) => e instanceof UserError && e.message.includes(model.path) && /pixel_values, encoder_hidden_states/.test(e.message));
});

test('past inputs in GPT-2 style [2, batch, heads, past, head_dim] and fp16', async () => {
  const proto = buildDecoderModel({ kvCache: false, attentionMask: false, positionIds: false });
  proto.graph!.input.push(valueInfo('past.0', DT.FLOAT16, [2, 'batch', 12, 'past_seq', 64]), valueInfo('past_key_values.0.key', DT.FLOAT, ['b', 4, 'p', 16]));
  const model = await loadModel(await writeModel(proto, join(dir, 'gpt2-past.onnx')));
  const feeds = makeFeeds(model, randomTokens(8, 256), 4, 2);
  assert.deepEqual(feeds['past.0']!.dims, [2, 4, 12, 0, 64]);
  assert.equal(feeds['past.0']!.type, 'float16');
  assert.deepEqual(feeds['past_key_values.0.key']!.dims, [4, 4, 0, 16]);
});

test('vocabulary size from the logits shape', async () => {
  assert.equal(modelVocabSize(await loadModel(await writeFixture(dir, 'basic'))), 256);
  const proto = buildDecoderModel();
  proto.graph!.output[0] = valueInfo('logits', DT.FLOAT, ['batch', 'seq', 'vocab']);
  assert.equal(modelVocabSize(await loadModel(await writeModel(proto, join(dir, 'symbolic-vocab.onnx')))), null);
});

test('context length from config.json, else metadata_props, else null; bad JSON is a UserError', async () => {
  const folder = join(dir, 'ctx');
  await mkdir(folder);
  const proto = buildDecoderModel();
  const path = await writeModel(proto, join(folder, 'm.onnx'));
  assert.equal(await modelContextLength(await loadModel(path)), null);
  proto.metadataProps.push(create(StringStringEntryProtoSchema, { key: 'max_position_embeddings', value: '512' }));
  await writeModel(proto, path);
  assert.equal(await modelContextLength(await loadModel(path)), 512);
  await writeFile(join(folder, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_positions: 1024 }));
  assert.equal(await modelContextLength(await loadModel(path)), 1024);
  await writeFile(join(folder, 'config.json'), '{ oops');
  await assert.rejects(modelContextLength(await loadModel(path)), (e: Error) => e instanceof UserError && /config\.json: invalid JSON/.test(e.message));
});
