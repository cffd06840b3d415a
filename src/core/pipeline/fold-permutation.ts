import { isSupportedWeightDtype } from '../onnx/dtype';
import type { GraphIndex } from '../onnx/graph-index';
import { nodeName } from '../onnx/graph-index';
import type { LinearLayer } from '../onnx/linear-layers';
import { tensorDims, tensorNumel } from '../onnx/tensor-data';

/**
 * Folding a channel permutation π of a layer's input X into the layers that produce X: when X is
 * computed from the outputs of linear layers by elementwise ops only (an MLP's up/gate projections
 * through GELU or SiLU·mul), permuting those layers' output units, their biases and every per-channel
 * constant on the way permutes X exactly, at no runtime cost.
 */
export interface FoldPlan {
  /** Linear layers whose output units are permuted. */
  producers: LinearLayer[];
  /** Stored per-channel tensors ([..., K] with leading dims 1: biases, scales) permuted along their last axis. */
  constants: string[];
}

export type FoldResult = { ok: true; plan: FoldPlan } | { ok: false; reason: string };

/** Ops that act on each element independently: (op, inputs that may carry channels). */
const UNARY = new Set(['Relu', 'Gelu', 'Sigmoid', 'Tanh', 'Erf', 'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Identity', 'Cast', 'Softplus', 'Softsign', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'HardSigmoid', 'HardSwish', 'Mish', 'Clip']);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min']);
/** Consumers that only read a tensor's shape, which a permutation does not change. */
const SHAPE_ONLY = new Set(['Shape', 'Size']);

/**
 * Traces X back through elementwise ops to its producing linear layers and checks that the whole
 * region is private to it (no other consumer, no graph output), so permuting it changes nothing else.
 */
export function planFold(index: GraphIndex, siblings: readonly LinearLayer[], producersByNode: Map<number, LinearLayer>): FoldResult {
  const K = siblings[0]!.K;
  const input = siblings[0]!.input;
  const region = new Set<number>();
  const tensors = new Set<string>();
  const producers: LinearLayer[] = [];
  const constants = new Set<string>();
  const pending = [input];
  while (pending.length) {
    const tensor = pending.pop()!;
    if (tensors.has(tensor)) continue;
    tensors.add(tensor);
    const produced = index.producer.get(tensor);
    if (!produced) return { ok: false, reason: `${tensor} is a graph input` };
    const { node, index: at } = produced;
    const linear = producersByNode.get(at);
    if (linear) {
      if (linear.N !== K) return { ok: false, reason: `producer ${linear.name} has ${linear.N} outputs, not ${K}` };
      if (linear.bias) {
        const why = channelConstant(index, linear.bias, K);
        if (why) return { ok: false, reason: `bias of ${linear.name}: ${why}` };
        constants.add(linear.bias);
      }
      producers.push(linear);
      region.add(at);
      continue;
    }
    if (node.domain !== '' && node.domain !== 'ai.onnx') return { ok: false, reason: `${nodeName(node)} (${node.domain}.${node.opType}) is not a standard elementwise op` };
    if (!UNARY.has(node.opType) && !BINARY.has(node.opType)) return { ok: false, reason: `${nodeName(node)} (${node.opType}) is not elementwise` };
    region.add(at);
    const channelInputs = UNARY.has(node.opType) ? node.input.slice(0, 1) : node.input;
    for (const name of channelInputs.filter(Boolean)) {
      if (!index.stored.has(name)) {
        pending.push(name);
        continue;
      }
      const t = index.stored.get(name)!;
      if (tensorNumel(t) === 1) continue;
      const why = channelConstant(index, name, K);
      if (why) return { ok: false, reason: `${nodeName(node)}: ${why}` };
      constants.add(name);
    }
  }
  if (producers.length === 0) return { ok: false, reason: 'no linear producer' };
  const readers = new Set(siblings.map((l) => l.nodeIndex));
  for (const tensor of tensors) {
    if (index.outputs.has(tensor)) return { ok: false, reason: `${tensor} is a graph output` };
    const outside = (index.consumers.get(tensor) ?? []).find((c) => !region.has(c.index) && !readers.has(c.index) && !SHAPE_ONLY.has(c.node.opType));
    if (outside) return { ok: false, reason: `${tensor} is also read by ${nodeName(outside.node)}` };
  }
  for (const name of constants) {
    const outside = (index.consumers.get(name) ?? []).find((c) => !region.has(c.index));
    if (outside) return { ok: false, reason: `constant ${name} is shared with ${nodeName(outside.node)}` };
  }
  return { ok: true, plan: { producers, constants: [...constants] } };
}

/** Why a stored tensor cannot be permuted as a per-channel constant of K channels, or undefined when it can. */
function channelConstant(index: GraphIndex, name: string, K: number): string | undefined {
  const t = index.stored.get(name);
  if (!t) return `${name} is not a stored tensor`;
  if (!isSupportedWeightDtype(t.dataType)) return `${name} has an unsupported dtype`;
  const dims = tensorDims(t);
  if (dims.at(-1) !== K || tensorNumel(t) !== K) return `${name} of shape [${dims.join(', ')}] is not a per-channel vector of ${K}`;
  return undefined;
}
