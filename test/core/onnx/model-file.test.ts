import assert from 'node:assert/strict';
import { readFile, rename, writeFile, truncate, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, StringStringEntryProtoSchema, TensorProto_DataLocation } from 'onnx-buf';
import { UserError } from '../../../src/core/errors';
import { loadModel } from '../../../src/core/onnx/model-file';
import { buildDecoderModel, writeFixture, writeModel } from '../../fixtures/build-fixtures';
import { tempDir } from '../../fixtures/ort-run';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

async function rejectsNaming(path: string, pattern: RegExp, load = path): Promise<void> {
  await assert.rejects(loadModel(load), (e: Error) => {
    assert.ok(e instanceof UserError, `expected UserError, got ${e}`);
    assert.ok(e.message.includes(path), `message names ${path}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('raw_data fields are views into the file buffer, not copies', async () => {
  const model = await loadModel(await writeFixture(dir, 'basic'));
  const withRaw = model.proto.graph!.initializer.filter((t) => t.rawData.length > 0);
  assert.ok(withRaw.length > 10);
  for (const t of withRaw) {
    assert.equal(t.rawData.buffer, model.bytes.buffer, `${t.name} shares the file's ArrayBuffer`);
    // the view sits where the bytes are in the file
    const at = t.rawData.byteOffset - model.bytes.byteOffset;
    assert.deepEqual(model.bytes.subarray(at, at + t.rawData.length), t.rawData);
  }
});

test('missing file', async () => {
  await rejectsNaming(join(dir, 'nope.onnx'), /no such file/);
});

test('a file that is not ONNX', async () => {
  const path = join(dir, 'notes.onnx');
  await writeFile(path, 'hello, this is a text file and not a protobuf\n');
  await rejectsNaming(path, /not an ONNX model|cannot parse/);
});

test('an empty file', async () => {
  const path = join(dir, 'empty.onnx');
  await writeFile(path, '');
  await rejectsNaming(path, /not a complete ONNX model/);
});

test('a truncated model at several cut points', async () => {
  const bytes = toBinary(ModelProtoSchema, buildDecoderModel());
  for (const fraction of [0.1, 0.5, 0.9, 0.999]) {
    const path = join(dir, `cut-${fraction}.onnx`);
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * fraction)));
    await rejectsNaming(path, /truncated/);
  }
});

test('a missing external data file is reported at load', async () => {
  const sub = join(dir, 'ext-missing');
  await mkdir(sub);
  const path = await writeFixture(sub, 'external');
  await rename(`${path}.data`, `${path}.data.moved`);
  await rejectsNaming(path, /external data file .*external\.onnx\.data is missing/);
});

test('a truncated external data file is reported at load', async () => {
  const sub = join(dir, 'ext-short');
  await mkdir(sub);
  const path = await writeFixture(sub, 'external');
  await truncate(`${path}.data`, 1000);
  await rejectsNaming(path, /truncated or belongs to another model/);
});

test('an external location outside the model folder is refused', async () => {
  const proto = buildDecoderModel();
  const t = proto.graph!.initializer.find((x) => x.name === 'lm_head.weight')!;
  t.rawData = new Uint8Array(0);
  t.dataLocation = TensorProto_DataLocation.EXTERNAL;
  t.externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: '../../etc/passwd' })];
  const path = await writeModel(proto, join(dir, 'escape.onnx'));
  await rejectsNaming(path, /outside the model folder/);
});

test('loadModel reads only the .onnx file: model.bytes is that file', async () => {
  const sub = join(dir, 'ext-bytes');
  await mkdir(sub);
  const path = await writeFixture(sub, 'external');
  const model = await loadModel(path);
  assert.deepEqual(model.bytes, new Uint8Array(await readFile(path)));
  assert.equal(model.dir, sub);
});
