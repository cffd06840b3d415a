import { randomBytes } from 'node:crypto';
import { realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { create } from '@bufbuild/protobuf';
import {
  StringStringEntryProtoSchema,
  TensorProtoSchema,
  TensorProto_DataLocation as Loc,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';
import { throwIfAborted, UserError } from '../errors';
import type { JobOptions } from '../progress';
import { DataFileWriter } from './data-file-writer';
import { dtypeName, isSupportedWeightDtype } from './dtype';
import { externalRef, isExternal, resolveLocation } from './external-data';
import { constantValue, storedTensors } from './graph-index';
import { graphTensors } from './graph-tensors';
import type { OnnxModel } from './model-file';
import { copyWithout, writeModelFile } from './model-writer';
import { readExternalBytes, readTensorFloat32, tensorByteLength, tensorDataBytes, tensorDims, tensorNumel } from './tensor-data';

export interface SaveOptions extends JobOptions {
  /** Initializer (or Constant output) name → new values, written in the tensor's own dtype. */
  replaced?: Map<string, Float32Array>;
  /** 'auto' (default): external when the source had external data or the result would exceed PROTOBUF_SAFE_BYTES. */
  externalData?: boolean | 'auto';
  /** Merged into metadata_props (same key: replaced). */
  metadata?: Record<string, string>;
}

/** Protobuf messages are limited to 2 GiB; stay well below it. */
export const PROTOBUF_SAFE_BYTES = 1.8e9;
/** Tensors smaller than this stay inline even when writing external data. */
export const INLINE_THRESHOLD_BYTES = 1024;

type Source = OnnxModel | { proto: ModelProto; path?: string };

/**
 * Writes a model (with replaced weights and extra metadata) to `outPath`, plus `outPath + '.data'`
 * when writing external data. Both go to temporary names in the same folder and are renamed on
 * success; on error or abort the temporaries are removed. The source files are never written.
 */
export async function saveModel(source: Source, outPath: string, opts: SaveOptions = {}): Promise<void> {
  const out = resolve(outPath);
  const dataName = `${basename(out)}.data`;
  await requireFolder(dirname(out), out);
  await refuseOverwritingSource(source, out, `${out}.data`);
  const replaced = opts.replaced ?? new Map<string, Float32Array>();
  checkReplacements(source, replaced);
  const external = wantsExternal(source.proto, opts.externalData ?? 'auto', out);
  const tmpTag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmpModel = out + tmpTag;
  const tmpData = `${out}.data${tmpTag}`;
  let writer: DataFileWriter | undefined;
  try {
    writer = external ? await DataFileWriter.create(tmpData) : undefined;
    const ctx: WriteContext = { source, replaced, writer, dataName, opts, done: 0, total: countTensors(source.proto) };
    const proto = await rewriteModel(ctx, opts.metadata);
    throwIfAborted(opts.signal);
    await writeModelFile(tmpModel, proto);
    await writer?.close();
    const usedData = (writer?.size ?? 0) > 0;
    writer = undefined;
    if (usedData) await rename(tmpData, `${out}.data`);
    await rename(tmpModel, out);
  } finally {
    await writer?.close().catch(() => undefined);
    await rm(tmpModel, { force: true });
    await rm(tmpData, { force: true });
  }
}

interface WriteContext {
  source: Source;
  replaced: Map<string, Float32Array>;
  writer: DataFileWriter | undefined;
  dataName: string;
  opts: SaveOptions;
  done: number;
  total: number;
}

/** A shallow copy of the model with its tensors rewritten; the source proto is not touched. */
async function rewriteModel(ctx: WriteContext, metadata: Record<string, string> | undefined): Promise<ModelProto> {
  const { proto } = ctx.source;
  return { ...proto, graph: await rewriteGraph(ctx, proto.graph!, true), metadataProps: mergeMetadata(proto, metadata) };
}

async function rewriteGraph(ctx: WriteContext, graph: GraphProto, top: boolean): Promise<GraphProto> {
  const initializer: TensorProto[] = [];
  for (const t of graph.initializer) initializer.push(await rewriteTensor(ctx, t, top));
  const node: NodeProto[] = [];
  for (const n of graph.node) node.push(await rewriteNode(ctx, n));
  return { ...graph, initializer, node };
}

/** Constant and subgraph tensors are always written inline (only top-level initializers go external). */
async function rewriteNode(ctx: WriteContext, n: NodeProto): Promise<NodeProto> {
  if (!n.attribute.some((a) => a.t || a.tensors.length || a.g || a.graphs.length)) return n;
  // a Constant's tensor is replaced under the node's output name (the name layers know it by)
  const key = constantValue(n) ? n.output[0] : undefined;
  const attribute = [];
  for (const a of n.attribute) {
    const t = a.t ? await rewriteTensor(ctx, a.t, false, a.name === 'value' ? key : undefined) : undefined;
    const tensors = [];
    for (const x of a.tensors) tensors.push(await rewriteTensor(ctx, x, false));
    const g = a.g ? await rewriteGraph(ctx, a.g, false) : undefined;
    const graphs = [];
    for (const x of a.graphs) graphs.push(await rewriteGraph(ctx, x, false));
    attribute.push({ ...a, t, tensors, g, graphs });
  }
  return { ...n, attribute };
}

async function rewriteTensor(ctx: WriteContext, t: TensorProto, mayGoExternal: boolean, key = t.name): Promise<TensorProto> {
  throwIfAborted(ctx.opts.signal);
  const result = await placeTensor(ctx, t, mayGoExternal, ctx.replaced.get(key));
  ctx.opts.onProgress?.({ stage: 'writing', done: ++ctx.done, total: ctx.total, detail: t.name });
  return result;
}

/** Decides where a tensor's bytes go (inline or the data file) and where they come from. */
async function placeTensor(ctx: WriteContext, t: TensorProto, mayGoExternal: boolean, values: Float32Array | undefined): Promise<TensorProto> {
  const size = tensorByteLength(t) ?? 0;
  const external = ctx.writer && mayGoExternal && size >= INLINE_THRESHOLD_BYTES && (values || isExternal(t) || t.rawData.length > 0 || isSupportedWeightDtype(t.dataType));
  if (external) return externalTensor(t, await writeExternal(ctx, t, values), size, ctx.dataName);
  if (values) return inlineTensor(t, tensorDataBytes(values, t.dataType));
  if (isExternal(t)) return inlineTensor(t, await readExternalBytes(sourceModel(ctx.source), t));
  return t;
}

/** Writes the tensor's bytes to the data file; returns their offset. */
async function writeExternal(ctx: WriteContext, t: TensorProto, values: Float32Array | undefined): Promise<number> {
  const writer = ctx.writer!;
  if (values) return writer.append(tensorDataBytes(values, t.dataType));
  if (isExternal(t)) {
    const model = sourceModel(ctx.source);
    const ref = externalRef(t, model.path);
    return writer.copyFrom(resolveLocation(model.dir, ref.location, model.path), ref.offset, ref.length ?? tensorByteLength(t)!);
  }
  if (t.rawData.length > 0) return writer.append(t.rawData);
  return writer.append(tensorDataBytes(await readTensorFloat32(sourceModel(ctx.source), t), t.dataType));
}

const DATA_FIELDS = ['rawData', 'floatData', 'int32Data', 'int64Data', 'doubleData', 'uint64Data', 'stringData', 'externalData', 'dataLocation'];

/** A tensor copy with every data field (typed, raw, external) unset. */
function withoutData(t: TensorProto): TensorProto {
  return copyWithout(TensorProtoSchema, t, DATA_FIELDS);
}

function inlineTensor(t: TensorProto, raw: Uint8Array): TensorProto {
  return { ...withoutData(t), rawData: raw as Uint8Array<ArrayBuffer> };
}

function externalTensor(t: TensorProto, offset: number, length: number, location: string): TensorProto {
  const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
  return {
    ...withoutData(t),
    dataLocation: Loc.EXTERNAL,
    externalData: [entry('location', location), entry('offset', String(offset)), entry('length', String(length))],
  };
}

function mergeMetadata(proto: ModelProto, metadata: Record<string, string> | undefined): ModelProto['metadataProps'] {
  if (!metadata) return proto.metadataProps;
  const kept = proto.metadataProps.filter((e) => !(e.key in metadata));
  return [...kept, ...Object.entries(metadata).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }))];
}

function sourceModel(source: Source): OnnxModel {
  if (!source.path) throw new UserError('cannot copy external data of a model that has no path');
  const path = resolve(source.path);
  return 'dir' in source ? source : { path, dir: dirname(path), proto: source.proto, bytes: new Uint8Array(0) };
}

function countTensors(proto: ModelProto): number {
  let n = 0;
  for (const _ of graphTensors(proto)) n++;
  return n;
}

function wantsExternal(proto: ModelProto, mode: boolean | 'auto', out: string): boolean {
  if (mode === true) return true;
  let bytes = 0;
  let hadExternal = false;
  for (const t of graphTensors(proto)) {
    hadExternal ||= isExternal(t);
    bytes += tensorByteLength(t) ?? t.rawData.length;
  }
  if (mode === 'auto') return hadExternal || bytes > PROTOBUF_SAFE_BYTES;
  if (bytes >= 2 ** 31) throw new UserError(`${out}: ${bytes} bytes of tensors do not fit in one protobuf file (2 GiB limit)`, 'write it with external data');
  return false;
}

/** Every replaced name must be a stored float tensor (initializer or Constant output) of the same element count. */
function checkReplacements(source: Source, replaced: Map<string, Float32Array>): void {
  if (replaced.size === 0) return;
  const tensors = storedTensors(source.proto.graph!);
  for (const [name, values] of replaced) {
    const t = tensors.get(name);
    const where = source.path ?? 'model';
    if (!t) throw new UserError(`${where}: no stored tensor named "${name}" to replace`);
    if (!isSupportedWeightDtype(t.dataType)) throw new UserError(`${where}: cannot replace "${name}": unsupported weight dtype ${dtypeName(t.dataType)}`);
    if (values.length !== tensorNumel(t)) throw new UserError(`${where}: replacement for "${name}" has ${values.length} values, shape [${tensorDims(t)}] needs ${tensorNumel(t)}`);
  }
}

/** The output (model or its data file) must not be the input model or any data file it reads. */
async function refuseOverwritingSource(source: Source, out: string, outData: string): Promise<void> {
  if (!source.path) return;
  const model = sourceModel(source);
  const inputs = new Set([await canonical(model.path)]);
  for (const t of graphTensors(model.proto)) {
    if (isExternal(t)) inputs.add(await canonical(resolveLocation(model.dir, externalRef(t, model.path).location, model.path)));
  }
  for (const target of [out, outData]) {
    if (inputs.has(await canonical(target))) {
      throw new UserError(`${out}: refusing to overwrite the input ${target === out ? 'model' : 'data file'} ${target}`, 'choose another output path');
    }
  }
}

async function requireFolder(folder: string, out: string): Promise<void> {
  const s = await stat(folder).catch(() => undefined);
  if (!s?.isDirectory()) throw new UserError(`${out}: the output folder ${folder} does not exist`, 'create it or choose another output path');
}

async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return resolve(path);
  }
}
