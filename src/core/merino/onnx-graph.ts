/**
 * A minimal ONNX graph writer for the skeleton builder: nodes with attributes, float initializers
 * (the parameters) and Constant nodes (shapes, scales: not parameters), typed inputs/outputs.
 */
import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  GraphProtoSchema,
  NodeProtoSchema,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';

export type Attr = number | number[] | { float: number };
export type Dim = number | string;

function attribute(name: string, v: Attr): AttributeProto {
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map(BigInt) });
  if (typeof v === 'object') return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.float });
  return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) });
}

function valueInfo(name: string, elemType: DT, dims: Dim[]): ValueInfoProto {
  const dim = dims.map((d) => create(TensorShapeProto_DimensionSchema, { value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } }));
  const tensorType = create(TypeProto_TensorSchema, { elemType, shape: create(TensorShapeProtoSchema, { dim }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();

  /** Adds a node named `name`; its single output is `${name}_output_0` unless given. */
  op(opType: string, inputs: string[], name: string, attrs: Record<string, Attr> = {}, output = `${name}_output_0`): string {
    return this.opMulti(opType, inputs, name, attrs, [output])[0];
  }

  opMulti(opType: string, inputs: string[], name: string, attrs: Record<string, Attr>, outputs: string[]): string[] {
    if (this.names.has(name)) throw new Error(`duplicate node name ${name}`);
    this.names.add(name);
    const attr = Object.entries(attrs).map(([k, v]) => attribute(k, v));
    this.nodes.push(create(NodeProtoSchema, { opType, input: inputs, output: outputs, name, attribute: attr }));
    return outputs;
  }

  /** A float parameter; returns its name. */
  weight(name: string, dims: number[], data: Float32Array): string {
    const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength) as Uint8Array<ArrayBuffer>;
    this.initializers.push(create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: DT.FLOAT, rawData }));
    return name;
  }

  /** A Constant node (not a parameter), deduplicated by value. */
  constant(values: number[], dims: number[], dataType: DT.INT64 | DT.FLOAT): string {
    const key = `${dataType}:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const rawData = dataType === DT.INT64 ? new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) : new Uint8Array(Float32Array.from(values).buffer);
    const t = create(TensorProtoSchema, { dims: dims.map(BigInt), dataType, rawData });
    const name = `/model/constants/${this.constants.size}`;
    this.names.add(name);
    const out = `${name}_output_0`;
    this.nodes.push(create(NodeProtoSchema, { opType: 'Constant', output: [out], name, attribute: [create(AttributeProtoSchema, { name: 'value', type: AT.TENSOR, t })] }));
    this.constants.set(key, out);
    return out;
  }

  ints(values: number[], scalar = false): string {
    return this.constant(values, scalar ? [] : [values.length], DT.INT64);
  }

  float(value: number): string {
    return this.constant([value], [], DT.FLOAT);
  }

  input(name: string, elemType: DT, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: DT, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  graph(name: string): GraphProto {
    return create(GraphProtoSchema, { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs });
  }
}
