/**
 * Constructors for the ONNX messages that code adding to a graph needs (nodes with attributes,
 * tensors, typed value infos): the pruner's Gather insertion, the MeRino skeleton, test fixtures.
 */
import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  NodeProtoSchema,
  TensorProto_DataType as DT,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { encodeTensorData } from './tensor-data';

/** An attribute value: integers → INT, other numbers → FLOAT, arrays → INTS, `{ float }` forces FLOAT, `{ floats }` FLOATS. */
export type AttrValue = number | number[] | string | TensorProto | { float: number } | { floats: number[] };
/** A dimension: a number, or a symbolic name. */
export type Dim = number | string;

export function makeAttribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'number') {
    return Number.isInteger(v) ? create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) }) : create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v });
  }
  if (typeof v === 'string') return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map(BigInt) });
  if ('float' in v) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.float });
  if ('floats' in v) return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: v.floats });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: v });
}

export function makeNode(opType: string, inputs: string[], outputs: string[], name: string, attrs: Record<string, AttrValue> = {}): NodeProto {
  const attribute = Object.entries(attrs).map(([k, v]) => makeAttribute(k, v));
  return create(NodeProtoSchema, { opType, input: inputs, output: outputs, name, attribute });
}

/** A float tensor stored as raw_data in `dtype` (FLOAT, FLOAT16 or BFLOAT16; 16-bit rounded to nearest even). */
export function floatTensor(name: string, dims: number[], data: Float32Array, dtype: number = DT.FLOAT): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: dtype, rawData: encodeTensorData(data, dtype) });
}

/** An int64 tensor (shapes, axes, indices) stored as raw_data. */
export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const raw = new Uint8Array(BigInt64Array.from(Array.from(values), BigInt).buffer);
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: DT.INT64, rawData: raw });
}

/** A typed tensor value info with fixed and symbolic dims. */
export function valueInfo(name: string, elemType: number, dims: Dim[]): ValueInfoProto {
  const dim = dims.map((d) =>
    create(TensorShapeProto_DimensionSchema, { value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } }),
  );
  const tensorType = create(TypeProto_TensorSchema, { elemType, shape: create(TensorShapeProtoSchema, { dim }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}
