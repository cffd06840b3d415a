import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { equals } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataType as DT } from 'onnx-buf';
import { CancelledError, UserError } from '../../../src/core/errors';
import { EXTERNAL_ALIGNMENT } from '../../../src/core/onnx/data-file-writer';
import { externalRef, isExternal } from '../../../src/core/onnx/external-data';
import { findLinearLayers } from '../../../src/core/onnx/linear-layers';
import { loadModel, type OnnxModel } from '../../../src/core/onnx/model-file';
import { makeFeeds } from '../../../src/core/onnx/model-inputs';
import { int64Tensor, makeNode } from '../../../src/core/onnx/proto-build';
import { saveModel } from '../../../src/core/onnx/save-model';
import { readWeight, weightTensor } from '../../../src/core/onnx/stored-tensors';
import { readExternalBytes } from '../../../src/core/onnx/tensor-data';
import { buildDecoderModel, FIXTURE_VARIANTS, writeFixture, writeModel, type FixtureVariant } from '../../fixtures/build-fixtures';
import { randomTokens, runOrt, tempDir } from '../../fixtures/ort-run';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

async function fixture(variant: FixtureVariant, sub: string = variant): Promise<OnnxModel> {
  const folder = join(dir, sub);
  await mkdir(folder, { recursive: true });
  return loadModel(await writeFixture(folder, variant));
}

async function outputs(path: string) {
  const model = await loadModel(path);
  return runOrt(path, makeFeeds(model, randomTokens(2 * 8, 256), 2, 8));
}

function assertBitwiseEqual(a: Record<string, unknown>, b: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort());
  for (const k of Object.keys(a)) assert.deepEqual(a[k], b[k], `output ${k}`);
}

for (const variant of Object.keys(FIXTURE_VARIANTS) as FixtureVariant[]) {
  test(`round trip without changes gives bitwise identical outputs: ${variant}`, async () => {
    const model = await fixture(variant);
    const out = join(dir, variant, 'copy.onnx');
    await saveModel(model, out);
    assertBitwiseEqual(await outputs(model.path), await outputs(out));
    const copy = await loadModel(out);
    assert.equal(copy.proto.graph!.initializer.some(isExternal), variant === 'external', 'auto keeps the source storage');
    // the streamed writer reorders fields; the parsed message is the same
    if (variant !== 'external') assert.ok(equals(ModelProtoSchema, copy.proto, model.proto));
    for (const t of copy.proto.graph!.initializer.filter(isExternal)) assert.equal(Object.hasOwn(t, 'rawData'), false, `${t.name}: no raw_data field next to external data`);
  });
}

test('forced external data on an inline model and forced inline on an external one', async () => {
  const basic = await fixture('basic', 'force');
  const ext = join(dir, 'force', 'ext.onnx');
  await saveModel(basic, ext, { externalData: true });
  const extModel = await loadModel(ext);
  const externals = extModel.proto.graph!.initializer.filter(isExternal);
  assert.ok(externals.length > 10);
  for (const t of externals) assert.equal(externalRef(t, ext).offset % EXTERNAL_ALIGNMENT, 0, `${t.name} offset aligned`);
  for (const t of extModel.proto.graph!.initializer.filter((x) => !isExternal(x))) assert.ok(t.rawData.length < 1024, `${t.name} small enough to stay inline`);
  const inline = join(dir, 'force', 'inline.onnx');
  await saveModel(extModel, inline, { externalData: false });
  const inlineModel = await loadModel(inline);
  assert.equal(inlineModel.proto.graph!.initializer.some(isExternal), false);
  await assert.rejects(stat(`${inline}.data`));
  const reference = await outputs(basic.path);
  assertBitwiseEqual(reference, await outputs(ext));
  assertBitwiseEqual(reference, await outputs(inline));
});

test('a zeroed lm_head gives zero logits; the source file is untouched', async () => {
  const model = await fixture('basic', 'zero');
  const sourceBytes = await readFile(model.path);
  const out = join(dir, 'zero', 'zeroed.onnx');
  await saveModel(model, out, { replaced: new Map([['lm_head.weight', new Float32Array(64 * 256)]]) });
  const logits = (await outputs(out)).logits as Float32Array;
  assert.ok(logits.length === 2 * 8 * 256 && logits.every((v) => v === 0));
  assert.ok((await outputs(model.path)).logits!.some((v) => v !== 0));
  assert.deepEqual(await readFile(model.path), sourceBytes);
});

test('replacing a Constant-node weight (v_proj) works like zeroing the o_proj it feeds', async () => {
  // v = 0 ⇒ attention context = 0 ⇒ o_proj output = 0, exactly as with o_proj weights = 0
  const model = await fixture('basic', 'const');
  const zeros = new Float32Array(64 * 64);
  const viaV = join(dir, 'const', 'v0.onnx');
  const viaO = join(dir, 'const', 'o0.onnx');
  await saveModel(model, viaV, { replaced: new Map([['model.layers.1.self_attn.v_proj.weight', zeros]]) });
  await saveModel(model, viaO, { replaced: new Map([['model.layers.1.self_attn.o_proj.weight', zeros]]) });
  const [v, o, base] = [await outputs(viaV), await outputs(viaO), await outputs(model.path)];
  assert.deepEqual(v.logits, o.logits);
  assert.notDeepEqual(v.logits, base.logits);
  assert.deepEqual(await readWeight(await loadModel(viaV), 'model.layers.1.self_attn.v_proj.weight'), zeros);
});

test('fp16 weights are written back in fp16; re-writing decoded values is bit-exact', async () => {
  const model = await fixture('fp16', 'fp16-write');
  const name = 'model.layers.0.mlp.up_proj.weight';
  const values = await readWeight(model, name);
  const same = join(dir, 'fp16-write', 'same.onnx');
  await saveModel(model, same, { replaced: new Map([[name, values]]) });
  const copy = await loadModel(same);
  assert.equal(weightTensor(copy, name).dataType, DT.FLOAT16);
  assert.deepEqual(weightTensor(copy, name).rawData, weightTensor(model, name).rawData);
  assertBitwiseEqual(await outputs(model.path), await outputs(same));
});

test('external data: replaced tensors written, unchanged ones copied byte for byte', async () => {
  const model = await fixture('external', 'ext-write');
  const changed = 'model.layers.0.mlp.gate_proj.weight';
  const values = (await readWeight(model, changed)).map((v, i) => (i % 4 < 2 ? 0 : v));
  const out = join(dir, 'ext-write', 'pruned.onnx');
  await saveModel(model, out, { replaced: new Map([[changed, values]]), metadata: { 'merino.method': 'test' } });
  const copy = await loadModel(out);
  assert.deepEqual(await readWeight(copy, changed), values);
  for (const t of model.proto.graph!.initializer.filter(isExternal)) {
    if (t.name === changed) continue;
    assert.deepEqual(await readExternalBytes(copy, weightTensor(copy, t.name)), await readExternalBytes(model, t), t.name);
  }
  assert.equal(copy.proto.metadataProps.find((e) => e.key === 'merino.method')?.value, 'test');
  await outputs(out); // onnxruntime loads and runs it
});

test('unknown protobuf fields survive load and save', async () => {
  const model = await fixture('basic', 'unknown');
  // field 1999, varint 42: tag = (1999 << 3) | 0 = 15992 = 0xF8 0x7C
  const extra = Uint8Array.of(0xf8, 0x7c, 42);
  const path = join(dir, 'unknown', 'with-unknown.onnx');
  await writeFile(path, Buffer.concat([model.bytes, extra]));
  const loaded = await loadModel(path);
  assert.equal(loaded.proto.$unknown?.[0]?.no, 1999);
  const out = join(dir, 'unknown', 'saved.onnx');
  await saveModel(loaded, out);
  assert.ok((await readFile(out)).includes(Buffer.from(extra)));
  const reloaded = await loadModel(out);
  assert.deepEqual(reloaded.proto.$unknown, [{ no: 1999, wireType: 0, data: Uint8Array.of(42) }]);
  assert.ok(equals(ModelProtoSchema, reloaded.proto, loaded.proto));
});

test('unknown fields inside initializers and nodes survive, inline and external', async () => {
  const proto = buildDecoderModel({ kvCache: false });
  const unknown = [{ no: 1999, wireType: 0, data: Uint8Array.of(7) }];
  proto.graph!.initializer.find((t) => t.name === 'lm_head.weight')!.$unknown = unknown;
  proto.graph!.node[0]!.$unknown = unknown;
  await mkdir(join(dir, 'unknown-nested'), { recursive: true });
  const src = await loadModel(await writeModel(proto, join(dir, 'unknown-nested', 'src.onnx')));
  for (const externalData of [false, true]) {
    const out = join(dir, 'unknown-nested', `out-${externalData}.onnx`);
    await saveModel(src, out, { externalData });
    const saved = await loadModel(out);
    assert.deepEqual(weightTensor(saved, 'lm_head.weight').$unknown, unknown);
    assert.deepEqual(saved.proto.graph!.node[0]!.$unknown, unknown);
  }
});

test('refuses to overwrite the input model or its data file; nothing is written', async () => {
  const folder = join(dir, 'refuse');
  const model = await fixture('external', 'refuse');
  await assert.rejects(saveModel(model, model.path), (e: Error) => e instanceof UserError && e.message.includes(model.path) && /input model/.test(e.message));
  // a model whose data file is "w.onnx.data": writing "w.onnx" would replace that data file
  await saveModel(model, join(folder, 'w.onnx'));
  await rename(join(folder, 'w.onnx'), join(folder, 'm.onnx'));
  const m = await loadModel(join(folder, 'm.onnx'));
  const before = (await readdir(folder)).sort();
  await assert.rejects(saveModel(m, join(folder, 'w.onnx')), (e: Error) => e instanceof UserError && /input data file/.test(e.message));
  assert.deepEqual((await readdir(folder)).sort(), before);
});

test('bad replacements and a missing output folder are UserErrors', async () => {
  const model = await fixture('basic', 'bad');
  await assert.rejects(saveModel(model, join(dir, 'bad', 'o.onnx'), { replaced: new Map([['nope', new Float32Array(1)]]) }), /no stored tensor named "nope"/);
  await assert.rejects(saveModel(model, join(dir, 'bad', 'o.onnx'), { replaced: new Map([['lm_head.weight', new Float32Array(3)]]) }), /3 values/);
  await assert.rejects(saveModel(model, join(dir, 'no-such-dir', 'o.onnx')), (e: Error) => e instanceof UserError && /no-such-dir/.test(e.message));
});

test('abort while writing removes the temporary files', async () => {
  const model = await fixture('external', 'abort');
  const folder = join(dir, 'abort');
  const before = (await readdir(folder)).sort();
  const controller = new AbortController();
  const save = saveModel(model, join(folder, 'out.onnx'), {
    signal: controller.signal,
    onProgress: (p) => p.done === 5 && controller.abort(),
  });
  await assert.rejects(save, CancelledError);
  assert.deepEqual((await readdir(folder)).sort(), before);
});

test('float_data tensors move to external data in another folder; outputs unchanged', async () => {
  const proto = buildDecoderModel({ kvCache: false });
  for (const t of proto.graph!.initializer.filter((x) => x.name.endsWith('down_proj.weight'))) {
    t.floatData = Array.from(new Float32Array(t.rawData.slice().buffer));
    delete (t as { rawData?: Uint8Array }).rawData; // unset (proto2 presence), not empty
  }
  await mkdir(join(dir, 'typed', 'out'), { recursive: true });
  const src = await writeModel(proto, join(dir, 'typed', 'typed.onnx'));
  const out = join(dir, 'typed', 'out', 'moved.onnx');
  await saveModel(await loadModel(src), out, { externalData: true });
  const moved = await loadModel(out);
  assert.ok(isExternal(weightTensor(moved, 'model.layers.0.mlp.down_proj.weight')));
  assert.equal(weightTensor(moved, 'model.layers.0.mlp.down_proj.weight').floatData.length, 0);
  assertBitwiseEqual(await outputs(src), await outputs(out));
});

test('a model given without a path cannot have its external data copied', async () => {
  const model = await fixture('external', 'nopath');
  await assert.rejects(saveModel({ proto: model.proto }, join(dir, 'nopath', 'x.onnx')), (e: Error) => e instanceof UserError && /has no path/.test(e.message));
});

test('an edited graph (Gather-permuted input, permuted weight rows) saves and keeps the logits', async () => {
  const model = await fixture('external', 'edited');
  const layer = findLinearLayers(model).layers.find((l) => l.name === '/model/layers.0/mlp/down_proj/MatMul')!;
  const { K, N } = layer;
  const perm = Int32Array.from({ length: K }, (_, k) => (k * 37) % K); // 37 is coprime with 128
  const w = await readWeight(model, layer.weight);
  const permuted = new Float32Array(K * N);
  for (let k = 0; k < K; k++) permuted.set(w.subarray(perm[k]! * N, (perm[k]! + 1) * N), k * N); // row k ← row π(k)
  const graph = model.proto.graph!;
  const gather = makeNode('Gather', [layer.input, 'perm'], ['permuted_input'], '/model/layers.0/mlp/down_proj/Gather', { axis: -1 });
  const node = graph.node.map((n, i) => (i === layer.nodeIndex ? { ...n, input: ['permuted_input', ...n.input.slice(1)] } : n));
  node.splice(layer.nodeIndex, 0, gather);
  const edited = { ...model.proto, graph: { ...graph, node, initializer: [...graph.initializer, int64Tensor('perm', [K], perm)] } };
  const out = join(dir, 'edited', 'permuted.onnx');
  await saveModel({ proto: edited, path: model.path }, out, { replaced: new Map([[layer.weight, permuted]]) });
  const [a, b] = [(await outputs(model.path)).logits as Float32Array, (await outputs(out)).logits as Float32Array];
  assert.ok(a.every((v, i) => Math.abs(v - b[i]!) <= 1e-4));
  assert.equal(graph.node.length + 1, (await loadModel(out)).proto.graph!.node.length);
});
