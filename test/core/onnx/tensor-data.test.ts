import assert from 'node:assert/strict';
import { open, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { TensorProto_DataType as DT, TensorProtoSchema } from 'onnx-buf';
import { UserError } from '../../../src/core/errors';
import { encode16 } from '../../../src/core/onnx/dtype';
import { externalRef } from '../../../src/core/onnx/external-data';
import { loadModel, type OnnxModel } from '../../../src/core/onnx/model-file';
import { readWeight, weightTensor } from '../../../src/core/onnx/stored-tensors';
import { encodeTensorData, readTensorFloat32, tensorDims } from '../../../src/core/onnx/tensor-data';
import { buildDecoderModel, writeFixture, writeModel } from '../../fixtures/build-fixtures';
import { tempDir } from '../../fixtures/ort-run';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

const fakeModel = (): OnnxModel => ({ path: '/x/model.onnx', dir: '/x', proto: buildDecoderModel(), bytes: new Uint8Array(0) });

test('raw_data at an odd offset decodes (copied before viewing)', async () => {
  const values = Float32Array.of(1.5, -2, 3.25, 0, 7);
  const backing = new Uint8Array(values.byteLength + 1);
  backing.set(new Uint8Array(values.buffer), 1);
  const t = create(TensorProtoSchema, { name: 'w', dims: [5n], dataType: DT.FLOAT, rawData: backing.subarray(1) });
  assert.deepEqual(await readTensorFloat32(fakeModel(), t), values);
});

test('float_data and fp16/bf16 in int32_data', async () => {
  const values = Float32Array.of(0.5, -1.25, 3, 1024);
  const f = create(TensorProtoSchema, { name: 'f', dims: [2n, 2n], dataType: DT.FLOAT, floatData: Array.from(values) });
  assert.deepEqual(await readTensorFloat32(fakeModel(), f), values);
  for (const dt of [DT.FLOAT16, DT.BFLOAT16]) {
    const t = create(TensorProtoSchema, { name: 'h', dims: [4n], dataType: dt, int32Data: Array.from(encode16(values, dt)) });
    assert.deepEqual(await readTensorFloat32(fakeModel(), t), values); // all exactly representable
  }
});

test('encodeTensorData writes each dtype back bit-exactly', async () => {
  const values = Float32Array.of(0.1, -7.3, 1e-3, 42);
  const fp32 = encodeTensorData(values, DT.FLOAT);
  assert.deepEqual(new Float32Array(fp32.buffer), values);
  for (const dt of [DT.FLOAT16, DT.BFLOAT16]) {
    const raw = encodeTensorData(values, dt);
    assert.equal(raw.length, 8);
    const t = create(TensorProtoSchema, { name: 'w', dims: [4n], dataType: dt, rawData: raw as Uint8Array<ArrayBuffer> });
    const decoded = await readTensorFloat32(fakeModel(), t);
    assert.deepEqual(encodeTensorData(decoded, dt), raw); // decode → encode is the identity
  }
});

test('size mismatch and unsupported dtypes are UserErrors naming the tensor and file', async () => {
  const short = create(TensorProtoSchema, { name: 'short', dims: [4n], dataType: DT.FLOAT, rawData: new Uint8Array(12) });
  await assert.rejects(readTensorFloat32(fakeModel(), short), (e: Error) => e instanceof UserError && /model\.onnx.*"short".*12 bytes/.test(e.message));
  const i8 = create(TensorProtoSchema, { name: 'q', dims: [4n], dataType: DT.INT8, rawData: new Uint8Array(4) });
  await assert.rejects(readTensorFloat32(fakeModel(), i8), (e: Error) => e instanceof UserError && /model\.onnx.*"q".*INT8/.test(e.message));
  assert.throws(() => encodeTensorData(new Float32Array(2), DT.DOUBLE), UserError);
});

test('fp16 and bf16 fixtures decode to the values they were built from (within the dtype rounding)', async () => {
  const reference = await loadModel(await writeFixture(dir, 'basic'));
  for (const variant of ['fp16', 'bf16'] as const) {
    const model = await loadModel(await writeFixture(dir, variant));
    const name = 'model.layers.1.mlp.down_proj.weight';
    const exact = await readWeight(reference, name);
    const got = await readWeight(model, name);
    assert.deepEqual(tensorDims(weightTensor(model, name)), [128, 64]);
    const tol = variant === 'fp16' ? 2 ** -11 : 2 ** -8;
    for (let i = 0; i < exact.length; i++) assert.ok(Math.abs(got[i]! - exact[i]!) <= Math.abs(exact[i]!) * tol + 1e-7, `${variant}[${i}]`);
  }
});

test('external data is read lazily, one tensor at a time, at its offset', async () => {
  const sub = join(dir, 'lazy');
  await mkdir(sub);
  const model = await loadModel(await writeFixture(sub, 'external'));
  const t = weightTensor(model, 'model.layers.0.self_attn.q_proj.weight');
  const before = await readTensorFloat32(model, t);
  assert.equal(before.length, 64 * 64);
  // change the bytes on disk after loading: the next read sees them, so nothing was cached at load
  const ref = externalRef(t, model.path);
  const fh = await open(join(sub, ref.location), 'r+');
  await fh.write(new Uint8Array(Float32Array.of(123.5).buffer), 0, 4, ref.offset);
  await fh.close();
  const after = await readTensorFloat32(model, t);
  assert.equal(after[0], 123.5);
  assert.deepEqual(after.subarray(1), before.subarray(1));
});

test('external entries without length use the tensor size', async () => {
  const sub = join(dir, 'nolength');
  await mkdir(sub);
  const model = await loadModel(await writeFixture(sub, 'external'));
  const name = 'model.layers.1.mlp.up_proj.weight';
  const expected = await readWeight(model, name);
  for (const t of model.proto.graph!.initializer) t.externalData = t.externalData.filter((e) => e.key !== 'length');
  const stripped = await loadModel(await writeModel(model.proto, join(sub, 'stripped.onnx')));
  assert.equal(weightTensor(stripped, name).externalData.some((e) => e.key === 'length'), false);
  assert.deepEqual(await readWeight(stripped, name), expected);
});
