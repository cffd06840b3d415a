import { create } from '@bufbuild/protobuf';
import { NodeProtoSchema, ValueInfoProtoSchema, type GraphProto, type ModelProto, type NodeProto, type ValueInfoProto } from 'onnx-buf';

/** A model whose outputs are exactly some intermediate tensors; `fetch` maps each tensor to its output name. */
export interface TapModel {
  proto: ModelProto;
  fetch: Map<string, string>;
}

/**
 * Builds a model that computes only `tensors`: they become its outputs, and every node, initializer
 * and input they do not depend on is dropped (for calibration that removes the lm_head and the
 * KV-cache outputs). A tapped graph input is passed through an Identity node, since a graph input
 * cannot also be an output. The original proto is not modified; tensors are shared, not copied.
 */
export function buildTapModel(proto: ModelProto, tensors: readonly string[]): TapModel {
  const graph = proto.graph!;
  const inputNames = new Set(graph.input.map((v) => v.name));
  const fetch = new Map(tensors.map((t) => [t, inputNames.has(t) ? `${t}::merino_tap` : t]));
  const passThrough = [...fetch].filter(([t, out]) => t !== out).map(([t, out]) => create(NodeProtoSchema, { opType: 'Identity', name: out, input: [t], output: [out] }));
  const nodes = [...neededNodes(graph, tensors), ...passThrough];
  const typed = declaredValues(graph);
  const output = [...fetch].map(([t, out]) => outputInfo(out, typed.get(t)));
  return { proto: { ...proto, graph: subgraph(graph, nodes, output) }, fetch };
}

/**
 * `graph` cut to `nodes` (in order): the graph inputs, stored tensors and value infos they read,
 * then `fed` as further inputs, and `output` as the outputs. Tensors are shared, not copied.
 */
export function subgraph(graph: GraphProto, nodes: NodeProto[], output: ValueInfoProto[], fed: ValueInfoProto[] = []): GraphProto {
  const used = new Set(nodes.flatMap(nodeInputs));
  const fedNames = new Set(fed.map((v) => v.name));
  return {
    ...graph,
    node: nodes,
    input: [...graph.input.filter((v) => used.has(v.name)), ...fed],
    initializer: graph.initializer.filter((t) => used.has(t.name)),
    sparseInitializer: graph.sparseInitializer.filter((t) => used.has(t.values?.name ?? '')),
    valueInfo: graph.valueInfo.filter((v) => used.has(v.name) && !fedNames.has(v.name)),
    output,
  };
}

/** The typed value infos of a graph's tensors (value infos, outputs, inputs) by name. */
export function declaredValues(graph: GraphProto): Map<string, ValueInfoProto> {
  return new Map([...graph.valueInfo, ...graph.output, ...graph.input].map((v) => [v.name, v]));
}

/** The nodes `targets` depend on, in the original (topological) order. */
function neededNodes(graph: GraphProto, targets: readonly string[]): NodeProto[] {
  const producer = new Map<string, number>();
  graph.node.forEach((n, i) => n.output.forEach((o) => producer.set(o, i)));
  const keep = new Set<number>();
  const stack = [...targets];
  while (stack.length) {
    const i = producer.get(stack.pop()!);
    if (i === undefined || keep.has(i)) continue;
    keep.add(i);
    stack.push(...nodeInputs(graph.node[i]!));
  }
  return graph.node.filter((_, i) => keep.has(i));
}

/** A node's inputs, including the outer-scope names its subgraphs (If/Loop/Scan bodies) read. */
export function nodeInputs(node: NodeProto): string[] {
  const names = node.input.filter((n) => n !== '');
  for (const a of node.attribute) {
    for (const g of a.g ? [a.g, ...a.graphs] : a.graphs) names.push(...g.node.flatMap(nodeInputs));
  }
  return names;
}

/** An output named `name` with the type of `typed` (untyped when unknown: onnxruntime infers it). */
export function outputInfo(name: string, typed: ValueInfoProto | undefined): ValueInfoProto {
  return typed ? { ...typed, name } : create(ValueInfoProtoSchema, { name });
}
