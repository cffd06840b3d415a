import type { NodeProto } from 'onnx-buf';
import { blockOfAny } from './block-name';
import { isMatrix, resolveConstant, type ResolvedConstant } from './constant-resolver';
import { dtypeName, isSupportedWeightDtype } from './dtype';
import { floatAttr, indexGraph, intAttr, nodeName, type GraphIndex } from './graph-index';
import type { OnnxModel } from './model-file';
import { describeValue } from './model-inputs';
import { tensorDims } from './tensor-data';

/** A linear layer y = x·B (stored [K,N], layout KN) or y = x·Bᵀ (stored [N,K], layout NK). */
export interface LinearLayer {
  /** Node name, or `<op>:<first output>` when the node has none. */
  name: string;
  nodeIndex: number;
  op: 'MatMul' | 'Gemm';
  /** Stored tensor holding the weight: an initializer, or a Constant node's output. */
  weight: string;
  layout: 'KN' | 'NK';
  K: number;
  N: number;
  /** Activation tensor read by the layer. */
  input: string;
  output: string;
  /** Decoder block, e.g. "layers.3", or null when no name says it. */
  block: string | null;
  blockIndex: number | null;
  /** Gemm bias (input C), if any. */
  bias?: string;
  /** Gemm alpha (y = alpha·x·B + beta·C); 1 for MatMul. */
  alpha: number;
  /** TensorProto.DataType of the stored weight. */
  dtype: number;
}

export interface ExcludedNode {
  node: string;
  op: string;
  reason: string;
}

export interface LayerScan {
  /** Prunable layers, in graph order. */
  layers: LinearLayer[];
  /** Names of the layers that read the same activation tensor (singletons included), in graph order. */
  siblings: string[][];
  /** The final vocabulary projection (excluded from `layers`). */
  lmHead: LinearLayer | null;
  excluded: ExcludedNode[];
}

/**
 * Finds the prunable linear layers (see docs/onnx-io.md for the rules): MatMul/Gemm whose weight
 * is a constant matrix, minus lm_head, weights shared with other nodes, and Gemm with transA=1;
 * also lists embeddings and attention products as excluded.
 */
export function findLinearLayers(model: OnnxModel): LayerScan {
  const index = indexGraph(model.proto.graph!);
  const excluded: ExcludedNode[] = [];
  const candidates: { layer: LinearLayer; constant: ResolvedConstant }[] = [];
  index.graph.node.forEach((node, nodeIndex) => {
    const found = classify(index, node, nodeIndex);
    if ('reason' in found) {
      if (found.reason) excluded.push({ node: nodeName(node), op: node.opType, reason: found.reason });
    } else candidates.push(found);
  });
  assignFallbackBlocks(candidates.map((c) => c.layer));
  const lmHead = findLmHead(index, candidates.map((c) => c.layer));
  if (lmHead) excluded.push({ node: lmHead.name, op: lmHead.op, reason: 'final vocabulary projection (lm_head)' });
  const layers = excludeSharedWeights(index, candidates.filter((c) => c.layer !== lmHead), excluded);
  return { layers, siblings: siblingGroups(layers), lmHead, excluded };
}

type Classified = { layer: LinearLayer; constant: ResolvedConstant } | { reason: string | null };

/** A linear layer, a reason to exclude the node, or reason null for nodes not worth listing. */
function classify(index: GraphIndex, node: NodeProto, nodeIndex: number): Classified {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return { reason: null };
  if (node.opType === 'Gather') return classifyGather(index, node);
  if (node.opType !== 'MatMul' && node.opType !== 'Gemm') return { reason: null };
  if (node.opType === 'Gemm' && intAttr(node, 'transA', 0) === 1) return { reason: 'Gemm with transA=1 (input stored transposed)' };
  const [a, b] = [node.input[0]!, node.input[1]!];
  const constB = resolveConstant(index, b);
  if (resolveConstant(index, a)) return { reason: constB ? 'both inputs are constants' : 'the constant is the first input (y = W·x)' };
  if (!constB) {
    const op = constantProducer(index, b);
    return { reason: op ? `weight computed from constants by ${op} (only Identity, Cast and Transpose are followed)` : 'both inputs are activations (attention product)' };
  }
  if (!isMatrix(constB)) return { reason: `weight ${constB.weight} is not 2-D (shape [${tensorDims(constB.tensor)}])` };
  if (!isSupportedWeightDtype(constB.tensor.dataType)) return { reason: `weight ${constB.weight} has unsupported dtype ${dtypeName(constB.tensor.dataType)}` };
  return { layer: makeLayer(node, nodeIndex, constB), constant: constB };
}

/** The op producing `name` when it is computed from stored tensors only (e.g. DequantizeLinear), else null. */
function constantProducer(index: GraphIndex, name: string): string | null {
  const isConstant = (t: string, depth: number): boolean => {
    if (index.stored.has(t)) return true;
    const node = index.producer.get(t)?.node;
    return !!node && depth < 6 && node.input.every((i) => !i || isConstant(i, depth + 1));
  };
  const producer = index.producer.get(name)?.node;
  return producer && isConstant(name, 0) ? producer.opType : null;
}

/** Gathers from a stored float matrix: the token embedding (indexed by input_ids), or another table. */
function classifyGather(index: GraphIndex, node: NodeProto): Classified {
  const table = resolveConstant(index, node.input[0]!);
  if (!table || !isMatrix(table) || !isSupportedWeightDtype(table.tensor.dataType)) return { reason: null };
  return { reason: readsInputIds(index, node.input[1]!) ? 'token embedding lookup (Gather)' : 'table lookup (Gather: position embedding, rotary cache…)' };
}

/** Whether a tensor is input_ids, directly or through Cast/Identity. */
function readsInputIds(index: GraphIndex, name: string): boolean {
  for (let current = name, hops = 0; hops < 4; hops++) {
    if (current === 'input_ids') return true;
    const producer = index.producer.get(current)?.node;
    if (!producer || (producer.opType !== 'Cast' && producer.opType !== 'Identity')) return false;
    current = producer.input[0]!;
  }
  return false;
}

function makeLayer(node: NodeProto, nodeIndex: number, c: ResolvedConstant): LinearLayer {
  const gemm = node.opType === 'Gemm';
  const transB = gemm && intAttr(node, 'transB', 0) === 1;
  const layout = c.transposed !== transB ? 'NK' : 'KN';
  const [d0, d1] = tensorDims(c.tensor) as [number, number];
  const name = nodeName(node);
  const ref = blockOfAny([node.name, c.weight, node.output[0] ?? '']);
  return {
    name, nodeIndex, op: gemm ? 'Gemm' : 'MatMul', weight: c.weight, layout,
    K: layout === 'KN' ? d0 : d1, N: layout === 'KN' ? d1 : d0,
    input: node.input[0]!, output: node.output[0]!,
    block: ref?.block ?? null, blockIndex: ref?.blockIndex ?? null,
    ...(gemm && node.input[2] ? { bias: node.input[2] } : {}),
    alpha: gemm ? floatAttr(node, 'alpha', 1) : 1,
    dtype: c.tensor.dataType,
  };
}

/** Layers whose names say no block take the block of the previous layer in graph order. */
function assignFallbackBlocks(layers: LinearLayer[]): void {
  for (let i = 1; i < layers.length; i++) {
    const layer = layers[i]!;
    if (layer.block === null) {
      layer.block = layers[i - 1]!.block;
      layer.blockIndex = layers[i - 1]!.blockIndex;
    }
  }
}

/** Ops a projection's output may pass through on its way to the logits. */
const TO_LOGITS = new Set(['Reshape', 'Cast', 'Add', 'Identity', 'Squeeze', 'Unsqueeze', 'Mul', 'Div', 'Tanh']);

/**
 * lm_head: the last linear layer whose output reaches the "logits" output through reshapes and
 * elementwise ops, or whose N is the vocabulary size (the last dim of "logits", else the rows of
 * the embedding table that input_ids index).
 */
function findLmHead(index: GraphIndex, layers: LinearLayer[]): LinearLayer | null {
  const vocab = logitsWidth(index) ?? tokenEmbeddingRows(index);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (layer.N === vocab || reachesLogits(index, layer.output)) return layer;
  }
  return null;
}

function reachesLogits(index: GraphIndex, tensor: string, depth = 0): boolean {
  if (tensor === 'logits' && index.outputs.has(tensor)) return true;
  if (depth > 4) return false;
  return (index.consumers.get(tensor) ?? []).some(({ node }) => TO_LOGITS.has(node.opType) && node.output.some((o) => reachesLogits(index, o, depth + 1)));
}

function logitsWidth(index: GraphIndex): number | null {
  const logits = index.graph.output.find((o) => o.name === 'logits');
  const last = logits ? describeValue(logits).dims.at(-1) : undefined;
  return typeof last === 'number' ? last : null;
}

function tokenEmbeddingRows(index: GraphIndex): number | null {
  for (const node of index.graph.node) {
    if (node.opType !== 'Gather' || !readsInputIds(index, node.input[1]!)) continue;
    const table = resolveConstant(index, node.input[0]!);
    if (table && isMatrix(table)) return tensorDims(table.tensor)[0]!;
  }
  return null;
}

/**
 * A stored weight read by anything other than linear layers that all read the same input
 * excludes those layers (pruning it would change the other users). Several layers sharing a
 * weight *and* their input are kept (they compute the same thing; pruning gives them one mask).
 */
function excludeSharedWeights(index: GraphIndex, candidates: { layer: LinearLayer; constant: ResolvedConstant }[], excluded: ExcludedNode[]): LinearLayer[] {
  const byWeight = new Map<string, { layer: LinearLayer; constant: ResolvedConstant }[]>();
  for (const c of candidates) byWeight.set(c.layer.weight, [...(byWeight.get(c.layer.weight) ?? []), c]);
  const kept: LinearLayer[] = [];
  for (const c of candidates) {
    const users = byWeight.get(c.layer.weight)!;
    const others = outsideUsers(index, users);
    const sameInput = users.every((u) => u.layer.input === c.layer.input);
    if (others.length === 0 && sameInput) kept.push(c.layer);
    else {
      const names = [...others, ...users.filter((u) => u !== c).map((u) => u.layer.name)];
      excluded.push({ node: c.layer.name, op: c.layer.op, reason: `weight ${c.layer.weight} is shared with ${names.join(', ')}` });
    }
  }
  return kept;
}

/** Nodes reading the weight (or its pass-through chain) that are not these layers or their chains. */
function outsideUsers(index: GraphIndex, users: { layer: LinearLayer; constant: ResolvedConstant }[]): string[] {
  const mine = new Set(users.map((u) => u.layer.nodeIndex));
  const chains = new Set([users[0]!.layer.weight, ...users.flatMap((u) => u.constant.via)]);
  const chainNodes = new Set([...chains].map((t) => index.producer.get(t)?.index).filter((i) => i !== undefined));
  const others = new Set<string>();
  for (const t of chains) {
    for (const { node, index: i } of index.consumers.get(t) ?? []) {
      if (!mine.has(i) && !chainNodes.has(i)) others.add(nodeName(node));
    }
  }
  return [...others];
}

function siblingGroups(layers: LinearLayer[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const l of layers) groups.set(l.input, [...(groups.get(l.input) ?? []), l.name]);
  return [...groups.values()];
}
