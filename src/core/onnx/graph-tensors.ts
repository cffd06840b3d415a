import type { GraphProto, ModelProto, TensorProto } from 'onnx-buf';

/** Every stored tensor of a graph and its subgraphs: initializers and Constant/attribute tensors. */
export function* graphTensors(model: ModelProto): Generator<TensorProto> {
  if (model.graph) yield* tensorsOf(model.graph);
}

function* tensorsOf(graph: GraphProto): Generator<TensorProto> {
  yield* graph.initializer;
  for (const node of graph.node) {
    for (const a of node.attribute) {
      if (a.t) yield a.t;
      yield* a.tensors;
      if (a.g) yield* tensorsOf(a.g);
      for (const g of a.graphs) yield* tensorsOf(g);
    }
  }
}
