import type { GraphProto, NodeProto, TensorProto } from 'onnx-buf';

/**
 * Collects edits to a graph (nodes inserted before others, node inputs renamed, initializers added)
 * and builds an edited shallow copy, leaving the original graph untouched so that one loaded model
 * can be pruned several ways (merino compare).
 */
export class GraphEditor {
  private readonly inserts = new Map<number, NodeProto[]>();
  private readonly renamed = new Map<number, Map<string, string>>();
  private readonly initializers: TensorProto[] = [];

  constructor(private readonly graph: GraphProto) {}

  /** Inserts `node` before the node at `index` (keeps the topological order when the node reads only earlier tensors). */
  insertBefore(index: number, node: NodeProto): void {
    this.inserts.set(index, [...(this.inserts.get(index) ?? []), node]);
  }

  /** Makes the node at `index` read `to` wherever it read `from`. */
  renameInput(index: number, from: string, to: string): void {
    const map = this.renamed.get(index) ?? new Map<string, string>();
    map.set(from, to);
    this.renamed.set(index, map);
  }

  addInitializer(tensor: TensorProto): void {
    this.initializers.push(tensor);
  }

  get changed(): boolean {
    return this.inserts.size > 0 || this.renamed.size > 0 || this.initializers.length > 0;
  }

  build(): GraphProto {
    const node: NodeProto[] = [];
    this.graph.node.forEach((n, i) => {
      node.push(...(this.inserts.get(i) ?? []));
      const map = this.renamed.get(i);
      node.push(map ? { ...n, input: n.input.map((x) => map.get(x) ?? x) } : n);
    });
    return { ...this.graph, node, initializer: [...this.graph.initializer, ...this.initializers] };
  }
}
