import { TensorProto_DataType as DT } from 'onnx-buf';
import { throwIfAborted } from '../errors';
import type { JobOptions } from '../progress';
import { dtypeName } from './dtype';
import { externalRef, isExternal } from './external-data';
import { graphTensors } from './graph-tensors';
import { findLinearLayers, type ExcludedNode, type LinearLayer } from './linear-layers';
import type { OnnxModel } from './model-file';
import { describeInputs, describeOutputs, modelContextLength, modelVocabSize, type ValueDescription } from './model-inputs';
import { nmCompliant, sparsity } from './nm-compliance';
import { readWeight } from './stored-tensors';
import { tensorByteLength, tensorNumel } from './tensor-data';

/** N:M patterns `merino inspect` checks, as [n, m]. */
export const CHECKED_PATTERNS: readonly [number, number][] = [[2, 4], [4, 8]];

/** A graph input/output with its element type by name ("INT64"). */
export type NamedValue = ValueDescription & { dtype: string };

/** A LinearLayer with its dtype by name ("FLOAT16"). */
export type NamedLayer = Omit<LinearLayer, 'dtype'> & { dtype: string };

export interface LayerSummary extends NamedLayer {
  /** Index into ModelSummary.siblings. */
  siblingGroup: number;
  /** Fraction of exact zeros in the stored weight. */
  sparsity: number;
  /** Pattern ("2:4") → whether the weight already satisfies it along K. */
  nm: Record<string, boolean>;
}

export interface ModelSummary {
  path: string;
  irVersion: number;
  opsets: Record<string, number>;
  producer: string;
  inputs: NamedValue[];
  outputs: NamedValue[];
  /** Elements of stored floating-point tensors (initializers and Constant nodes). */
  parameters: number;
  /** External data files (relative locations) and the bytes the model reads from each. */
  externalData: { location: string; bytes: number }[];
  vocabSize: number | null;
  contextLength: number | null;
  layers: LayerSummary[];
  siblings: string[][];
  lmHead: NamedLayer | null;
  excluded: ExcludedNode[];
}

const FLOATS: readonly number[] = [DT.FLOAT, DT.FLOAT16, DT.BFLOAT16, DT.DOUBLE];

/** Everything `merino inspect` shows; reads every prunable weight once (progress per layer). */
export async function summarizeModel(model: OnnxModel, opts: JobOptions = {}): Promise<ModelSummary> {
  const scan = findLinearLayers(model);
  const groupOf = new Map(scan.siblings.flatMap((g, i) => g.map((name) => [name, i] as const)));
  const layers: LayerSummary[] = [];
  for (const layer of scan.layers) {
    throwIfAborted(opts.signal);
    const data = await readWeight(model, layer.weight);
    const nm = Object.fromEntries(CHECKED_PATTERNS.map(([n, m]) => [`${n}:${m}`, nmCompliant(data, layer.layout, layer.K, layer.N, n, m)]));
    layers.push({ ...layer, dtype: dtypeName(layer.dtype), siblingGroup: groupOf.get(layer.name)!, sparsity: sparsity(data), nm });
    opts.onProgress?.({ stage: 'reading weights', done: layers.length, total: scan.layers.length, detail: layer.name });
  }
  const proto = model.proto;
  return {
    path: model.path,
    irVersion: Number(proto.irVersion),
    opsets: Object.fromEntries(proto.opsetImport.map((o) => [o.domain || 'ai.onnx', Number(o.version)])),
    producer: [proto.producerName, proto.producerVersion].filter(Boolean).join(' '),
    inputs: describeInputs(model).map(named),
    outputs: describeOutputs(model).map(named),
    ...storageSummary(model),
    vocabSize: modelVocabSize(model),
    contextLength: await modelContextLength(model),
    layers,
    siblings: scan.siblings,
    lmHead: scan.lmHead && { ...scan.lmHead, dtype: dtypeName(scan.lmHead.dtype) },
    excluded: scan.excluded,
  };
}

function named(v: ValueDescription): NamedValue {
  return { ...v, dtype: dtypeName(v.elemType) };
}

function storageSummary(model: OnnxModel): Pick<ModelSummary, 'parameters' | 'externalData'> {
  let parameters = 0;
  const files = new Map<string, number>();
  for (const t of graphTensors(model.proto)) {
    if (FLOATS.includes(t.dataType)) parameters += tensorNumel(t);
    if (!isExternal(t)) continue;
    const ref = externalRef(t, model.path);
    files.set(ref.location, (files.get(ref.location) ?? 0) + (ref.length ?? tensorByteLength(t) ?? 0));
  }
  return { parameters, externalData: [...files].map(([location, bytes]) => ({ location, bytes })) };
}
