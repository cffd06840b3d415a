/**
 * A minimal ONNX graph writer for the skeleton builder: nodes with attributes, float initializers
 * (the parameters) and Constant nodes (shapes, scales: not parameters), typed inputs/outputs.
 */
import { create } from '@bufbuild/protobuf';
import { GraphProtoSchema, TensorProtoSchema, TensorProto_DataType as DT, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from 'onnx-buf';
import { type AttrValue, type Dim, floatTensor, int64Tensor, makeNode, valueInfo } from '../onnx/proto-build';

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, string>();

  /** Adds a node named `name`; its single output is `${name}_output_0` unless given. */
  op(opType: string, inputs: string[], name: string, attrs: Record<string, AttrValue> = {}, output = `${name}_output_0`): string {
    return this.opMulti(opType, inputs, name, attrs, [output])[0];
  }

  opMulti(opType: string, inputs: string[], name: string, attrs: Record<string, AttrValue>, outputs: string[]): string[] {
    if (this.names.has(name)) throw new Error(`duplicate node name ${name}`);
    this.names.add(name);
    this.nodes.push(makeNode(opType, inputs, outputs, name, attrs));
    return outputs;
  }

  /** A float parameter, stored as a view of `data` (no copy: skeletons hold hundreds of MB); returns its name. */
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
    const t = dataType === DT.INT64 ? int64Tensor('', dims, values) : floatTensor('', dims, Float32Array.from(values));
    const name = `/model/constants/${this.constants.size}`;
    const out = this.op('Constant', [], name, { value: t });
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
