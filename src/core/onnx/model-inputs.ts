import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { TensorProto_DataType as DT, type ValueInfoProto } from 'onnx-buf';
import { UserError } from '../errors';
import { dtypeName } from './dtype';
import type { OnnxModel } from './model-file';

/** A declared graph input or output: numbers for fixed dims, names for symbolic ones, null for unknown. */
export interface ValueDescription {
  name: string;
  elemType: number;
  dims: (number | string | null)[];
}

export type InputRole = 'input_ids' | 'attention_mask' | 'position_ids' | 'token_type_ids' | 'past' | 'use_cache_branch';

export function describeValue(v: ValueInfoProto): ValueDescription {
  const t = v.type?.value.case === 'tensorType' ? v.type.value.value : undefined;
  const dims = (t?.shape?.dim ?? []).map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null));
  return { name: v.name, elemType: t?.elemType ?? 0, dims };
}

/** The inputs a caller must feed (inputs that are also initializers are optional and skipped). */
export function describeInputs(model: OnnxModel): ValueDescription[] {
  const graph = model.proto.graph!;
  const initializers = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((v) => !initializers.has(v.name)).map(describeValue);
}

export function describeOutputs(model: OnnxModel): ValueDescription[] {
  return model.proto.graph!.output.map(describeValue);
}

const PAST = /^(past_key_values|past_key|past_value|past)([._]|$)/;

/** What an input is for, by its conventional name (Hugging Face / Optimum exports), or null. */
export function inputRole(name: string): InputRole | null {
  if (name === 'input_ids' || name === 'attention_mask' || name === 'position_ids' || name === 'token_type_ids' || name === 'use_cache_branch') return name;
  return PAST.test(name) ? 'past' : null;
}

/**
 * onnxruntime feeds for `batch` windows of `seqlen` tokens (row-major): input_ids in the declared
 * integer type, attention_mask of ones, position_ids 0..S-1, token_type_ids zeros, empty past
 * key/values (past length 0) and use_cache_branch=false. Any other input is a UserError.
 */
export function makeFeeds(model: OnnxModel, tokens: BigInt64Array | Int32Array, batch: number, seqlen: number): Record<string, ort.Tensor> {
  if (tokens.length !== batch * seqlen) throw new Error(`makeFeeds: ${tokens.length} tokens for batch ${batch} × seqlen ${seqlen}`);
  const inputs = describeInputs(model);
  const unknown = inputs.filter((i) => inputRole(i.name) === null);
  if (unknown.length) {
    throw new UserError(`${model.path}: cannot feed the model inputs ${unknown.map((i) => i.name).join(', ')}`, 'supported inputs are input_ids, attention_mask, position_ids, token_type_ids, past_key_values.* and use_cache_branch');
  }
  if (!inputs.some((i) => i.name === 'input_ids')) throw new UserError(`${model.path}: the model has no input_ids input`);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs) feeds[input.name] = feedFor(model, input, tokens, batch, seqlen);
  return feeds;
}

function feedFor(model: OnnxModel, input: ValueDescription, tokens: BigInt64Array | Int32Array, batch: number, seqlen: number): ort.Tensor {
  const shape = [batch, seqlen];
  switch (inputRole(input.name)) {
    case 'input_ids': return intTensor(model, input, shape, (i) => Number(tokens[i]));
    case 'attention_mask': return intTensor(model, input, shape, () => 1);
    case 'position_ids': return intTensor(model, input, shape, (i) => i % seqlen);
    case 'token_type_ids': return intTensor(model, input, shape, () => 0);
    case 'use_cache_branch': return new ort.Tensor('bool', new Uint8Array(1), [1]);
    default: return emptyPast(model, input, batch);
  }
}

/** An integer tensor (int64 or int32 as declared) filled by `value(flatIndex)`. */
function intTensor(model: OnnxModel, input: ValueDescription, shape: number[], value: (i: number) => number): ort.Tensor {
  const n = shape[0]! * shape[1]!;
  if (input.elemType === DT.INT64) return new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(value(i))), shape);
  if (input.elemType === DT.INT32) return new ort.Tensor('int32', Int32Array.from({ length: n }, (_, i) => value(i)), shape);
  throw new UserError(`${model.path}: input ${input.name} has type ${dtypeName(input.elemType)}`, 'expected INT64 or INT32');
}

/**
 * A past key/value input with past length 0: the batch dim (a symbolic dim named like "batch",
 * else the first non-fixed dim) gets `batch`, every other non-fixed dim 0, fixed dims their value.
 */
function emptyPast(model: OnnxModel, input: ValueDescription, batch: number): ort.Tensor {
  const named = input.dims.findIndex((d) => typeof d === 'string' && /batch/i.test(d));
  const batchAxis = named >= 0 ? named : input.dims.findIndex((d) => typeof d !== 'number');
  const shape = input.dims.map((d, i) => (i === batchAxis ? batch : typeof d === 'number' ? d : 0));
  if (input.elemType === DT.FLOAT) return new ort.Tensor('float32', new Float32Array(0), shape);
  if (input.elemType === DT.FLOAT16) return new ort.Tensor('float16', new Uint16Array(0), shape);
  throw new UserError(`${model.path}: past input ${input.name} has type ${dtypeName(input.elemType)}`, 'expected FLOAT or FLOAT16');
}

/** The vocabulary size: the last dim of the logits output (named "logits", else the first output), if fixed. */
export function modelVocabSize(model: OnnxModel): number | null {
  const outputs = describeOutputs(model);
  const logits = outputs.find((o) => o.name === 'logits') ?? outputs[0];
  const last = logits?.dims.at(-1);
  return typeof last === 'number' && last > 0 ? last : null;
}

const CONTEXT_KEYS = ['n_positions', 'max_position_embeddings', 'n_ctx', 'context_length'];

/** The context length from a config.json next to the model, else metadata_props, else null. */
export async function modelContextLength(model: OnnxModel): Promise<number | null> {
  const fromConfig = contextFrom(await readConfig(model));
  if (fromConfig !== null) return fromConfig;
  return contextFrom(Object.fromEntries(model.proto.metadataProps.map((e) => [e.key, Number(e.value)])));
}

function contextFrom(values: Record<string, unknown> | null): number | null {
  for (const key of CONTEXT_KEYS) {
    const v = values?.[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return null;
}

async function readConfig(model: OnnxModel): Promise<Record<string, unknown> | null> {
  const path = join(model.dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch (e) {
    throw new UserError(`${path}: invalid JSON (${(e as Error).message})`, 'fix or remove the config.json next to the model');
  }
}
