import { TensorProto_DataType as DT, type TensorProto } from 'onnx-buf';
import type { GraphIndex } from './graph-index';
import { intsAttr } from './graph-index';
import { tensorDims } from './tensor-data';

/** A constant matrix reached from a node input, possibly through Transpose/Identity/Cast. */
export interface ResolvedConstant {
  /** Name of the stored tensor (initializer, or Constant node output). */
  weight: string;
  tensor: TensorProto;
  /** True when an odd number of 2-D transposes lie between the stored tensor and the use. */
  transposed: boolean;
  /** Tensor names between the stored tensor and the use (outputs of the pass-through nodes). */
  via: string[];
}

const FLOAT_TYPES: readonly number[] = [DT.FLOAT, DT.FLOAT16, DT.BFLOAT16, DT.DOUBLE];

/**
 * Follows `name` back to a stored tensor through Identity, Cast to a float type and 2-D
 * Transpose (perm [1,0] or default). Returns null if an activation or another op is met.
 */
export function resolveConstant(index: GraphIndex, name: string): ResolvedConstant | null {
  const via: string[] = [];
  let transposed = false;
  for (let current = name; ; ) {
    const tensor = index.stored.get(current);
    if (tensor) return { weight: current, tensor, transposed, via };
    const producer = index.producer.get(current)?.node;
    if (!producer || !passesThrough(producer)) return null;
    if (producer.opType === 'Transpose') transposed = !transposed;
    via.push(current);
    current = producer.input[0]!;
  }
}

function passesThrough(node: GraphIndex['graph']['node'][number]): boolean {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return false;
  switch (node.opType) {
    case 'Identity': return true;
    case 'Cast': return FLOAT_TYPES.includes(Number(node.attribute.find((a) => a.name === 'to')?.i ?? -1));
    case 'Transpose': {
      const perm = intsAttr(node, 'perm');
      return perm === undefined || (perm.length === 2 && perm[0] === 1 && perm[1] === 0);
    }
    default: return false;
  }
}

/** Whether a resolved constant is a matrix (2-D). */
export function isMatrix(c: ResolvedConstant): boolean {
  return tensorDims(c.tensor).length === 2;
}
