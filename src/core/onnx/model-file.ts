import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { UserError } from '../errors';
import { externalRef, isExternal, resolveLocation } from './external-data';
import { graphTensors } from './graph-tensors';
import { tensorByteLength } from './tensor-data';

/**
 * An ONNX model read from disk. `proto`'s bytes fields (raw_data) are views into `bytes`, the
 * file's contents read once (see docs/onnx-io.md); external data stays on disk and is read per tensor.
 */
export interface OnnxModel {
  /** Absolute path of the .onnx file. */
  path: string;
  /** Its folder: external data locations are relative to it. */
  dir: string;
  proto: ModelProto;
  bytes: Uint8Array;
}

/** Reads and parses an ONNX file, checking that every external data file it names exists. */
export async function loadModel(path: string): Promise<OnnxModel> {
  const full = resolve(path);
  const bytes = await readModelBytes(full);
  const proto = parseModel(bytes, full);
  const model = { path: full, dir: dirname(full), proto, bytes };
  await checkExternalData(model);
  return model;
}

async function readModelBytes(path: string): Promise<Uint8Array> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new UserError(`${path} is not a file`, 'give the path of an .onnx model');
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength); // a view: no second copy of the file
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: no such file`, 'check the model path');
    throw new UserError(`${path}: cannot read the file (${code ?? (e as Error).message})`);
  }
}

/** Parses ModelProto bytes; a parse failure or a message without graph/opset means not ONNX or truncated. */
export function parseModel(bytes: Uint8Array, path: string): ModelProto {
  const hint = 'the file is not an ONNX model or is truncated; re-export or re-download it';
  let proto: ModelProto;
  try {
    proto = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new UserError(`${path}: cannot parse ONNX protobuf (${(e as Error).message})`, hint);
  }
  if (!proto.graph || proto.irVersion === 0n || proto.opsetImport.length === 0) {
    throw new UserError(`${path}: not a complete ONNX model (${!proto.graph ? 'no graph' : proto.irVersion === 0n ? 'no ir_version' : 'no opset_import'})`, hint);
  }
  return proto;
}

/** Every external tensor must point into an existing file inside the model folder, within its size. */
async function checkExternalData(model: OnnxModel): Promise<void> {
  const sizes = new Map<string, number>();
  for (const t of graphTensors(model.proto)) {
    if (!isExternal(t)) continue;
    const ref = externalRef(t, model.path);
    const file = resolveLocation(model.dir, ref.location, model.path);
    let size = sizes.get(file);
    if (size === undefined) {
      size = await fileSize(file, model.path);
      sizes.set(file, size);
    }
    const length = ref.length ?? tensorByteLength(t) ?? 0;
    if (ref.offset + length > size) {
      throw new UserError(`${model.path}: tensor "${t.name}" needs bytes ${ref.offset}..${ref.offset + length} of ${file}, which has ${size}`, 'the external data file is truncated or belongs to another model');
    }
  }
}

async function fileSize(file: string, modelPath: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    throw new UserError(`${modelPath}: external data file ${file} is missing`, 'copy the .data file next to the model');
  }
}
