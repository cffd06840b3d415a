import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  NodeProtoSchema,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  ValueInfoProtoSchema,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';
import type { ActivationTap } from './activation-taps';

/** Output names of the in-graph per-channel extremes of each tap, in tap order. */
export interface MinMaxOutputs {
  min: string[];
  max: string[];
}

/**
 * Adds, for each tap, Cast(float) → Reshape[-1, K] → ReduceMin / ReduceMax over the tokens as
 * graph outputs: onnxruntime computes the exact per-channel extremes of a batch (order does not
 * matter for min/max), so pass 1 fetches 2·K floats per tap instead of every activation.
 */
export function addMinMaxOutputs(proto: ModelProto, taps: readonly ActivationTap[], fetch: Map<string, string>): { proto: ModelProto; outputs: MinMaxOutputs } {
  const graph = proto.graph!;
  const axesAsInput = opsetOf(proto) >= 18;
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [create(TensorProtoSchema, { name: 'merino::axis0', dims: [1n], dataType: DT.INT64, int64Data: [0n] })];
  const outputs: MinMaxOutputs = { min: [], max: [] };
  taps.forEach((tap, i) => {
    const p = `merino::tap${i}`;
    inits.push(create(TensorProtoSchema, { name: `${p}/shape`, dims: [2n], dataType: DT.INT64, int64Data: [-1n, BigInt(tap.channels)] }));
    nodes.push(node('Cast', [fetch.get(tap.tensor)!], `${p}/float`, [intAttr('to', DT.FLOAT)]));
    nodes.push(node('Reshape', [`${p}/float`, `${p}/shape`], `${p}/rows`));
    for (const op of ['ReduceMin', 'ReduceMax'] as const) {
      const out = `${p}/${op === 'ReduceMin' ? 'min' : 'max'}`;
      const attrs = [intAttr('keepdims', 0), ...(axesAsInput ? [] : [intsAttr('axes', [0])])];
      nodes.push(node(op, axesAsInput ? [`${p}/rows`, 'merino::axis0'] : [`${p}/rows`], out, attrs));
      (op === 'ReduceMin' ? outputs.min : outputs.max).push(out);
    }
  });
  const extra = [...outputs.min, ...outputs.max].map((name) => create(ValueInfoProtoSchema, { name }));
  return { proto: { ...proto, graph: { ...graph, node: [...graph.node, ...nodes], initializer: [...graph.initializer, ...inits], output: [...graph.output, ...extra] } }, outputs };
}

function opsetOf(proto: ModelProto): number {
  return Number(proto.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0);
}

function node(opType: string, input: string[], output: string, attribute: NodeProto['attribute'] = []): NodeProto {
  return create(NodeProtoSchema, { opType, name: output, input, output: [output], attribute });
}

function intAttr(name: string, i: number) {
  return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(i) });
}

function intsAttr(name: string, ints: number[]) {
  return create(AttributeProtoSchema, { name, type: AT.INTS, ints: ints.map(BigInt) });
}
