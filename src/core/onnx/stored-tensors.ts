import type { TensorProto } from 'onnx-buf';
import { UserError } from '../errors';
import { storedTensors } from './graph-index';
import type { OnnxModel } from './model-file';
import { readTensorFloat32 } from './tensor-data';

/** The stored tensor named `name` (an initializer, or a Constant node output), as LinearLayer.weight names it. */
export function weightTensor(model: OnnxModel, name: string): TensorProto {
  const t = storedTensors(model.proto.graph!).get(name);
  if (!t) throw new UserError(`${model.path}: no stored tensor named "${name}"`);
  return t;
}

/** A stored weight's values as float32, by name. */
export async function readWeight(model: OnnxModel, name: string): Promise<Float32Array> {
  return readTensorFloat32(model, weightTensor(model, name));
}
