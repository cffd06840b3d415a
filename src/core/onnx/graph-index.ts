import type { GraphProto, NodeProto, TensorProto } from 'onnx-buf';

/** Lookup tables over one graph: who produces and who consumes each tensor, and the stored tensors. */
export interface GraphIndex {
  graph: GraphProto;
  producer: Map<string, { node: NodeProto; index: number }>;
  consumers: Map<string, { node: NodeProto; index: number }[]>;
  /** Initializers by name and Constant node tensors by output name. */
  stored: Map<string, TensorProto>;
  outputs: Set<string>;
}

export function indexGraph(graph: GraphProto): GraphIndex {
  const producer: GraphIndex['producer'] = new Map();
  const consumers: GraphIndex['consumers'] = new Map();
  graph.node.forEach((node, index) => {
    for (const out of node.output) if (out) producer.set(out, { node, index });
    for (const input of node.input) {
      if (!input) continue;
      const list = consumers.get(input) ?? [];
      list.push({ node, index });
      consumers.set(input, list);
    }
  });
  return { graph, producer, consumers, stored: storedTensors(graph), outputs: new Set(graph.output.map((o) => o.name)) };
}

/** Initializers by name and Constant node `value` tensors by the node's output name. */
export function storedTensors(graph: GraphProto): Map<string, TensorProto> {
  const stored = new Map<string, TensorProto>();
  for (const t of graph.initializer) stored.set(t.name, t);
  for (const node of graph.node) {
    const value = constantValue(node);
    if (value && node.output[0]) stored.set(node.output[0], value);
  }
  return stored;
}

/** The tensor of a Constant node's `value` attribute, if it is one. */
export function constantValue(node: NodeProto): TensorProto | undefined {
  if (node.opType !== 'Constant' || (node.domain !== '' && node.domain !== 'ai.onnx')) return undefined;
  return node.attribute.find((a) => a.name === 'value')?.t;
}

/** A node's display name: its own, or a stable one made from its op and first output. */
export function nodeName(node: NodeProto): string {
  return node.name || `${node.opType}:${node.output[0] ?? ''}`;
}

export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a ? Number(a.i) : fallback;
}

export function floatAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a ? a.f : fallback;
}

export function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = node.attribute.find((x) => x.name === name);
  return a ? a.ints.map(Number) : undefined;
}
