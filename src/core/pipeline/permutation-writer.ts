import type { ModelProto } from 'onnx-buf';
import { indexGraph, type GraphIndex } from '../onnx/graph-index';
import type { LayerScan, LinearLayer } from '../onnx/linear-layers';
import type { OnnxModel } from '../onnx/model-file';
import { readWeight } from '../onnx/stored-tensors';
import { planFold, type FoldPlan } from './fold-permutation';
import { insertGather } from './gather-permutation';
import { GraphEditor } from './graph-editor';
import { permuteLastAxis, permuteOutputs } from './output-permutation';
import type { ApplyMode } from './prune-options';
import type { GroupReport } from './prune-report';

/**
 * Writes the channel permutations of sibling groups into a model. The caller stores each sibling's
 * weight permuted along K (W'[k'] = W[π k']); this class makes the layers' input permuted the same
 * way: folded into the producing layers where exact (`fold`), else one Gather on the shared input.
 */
export class PermutationWriter {
  private readonly editor: GraphEditor;
  private readonly index: GraphIndex;
  private readonly producersByNode: Map<number, LinearLayer>;
  private readonly folds: { plan: FoldPlan; perm: Int32Array }[] = [];

  constructor(private readonly model: OnnxModel, scan: LayerScan, private readonly apply: ApplyMode) {
    this.editor = new GraphEditor(model.proto.graph!);
    this.index = indexGraph(model.proto.graph!);
    this.producersByNode = new Map(scan.layers.map((l) => [l.nodeIndex, l]));
  }

  /** Records the permutation of one sibling group's input; `tag` names the Gather indices. */
  write(siblings: readonly LinearLayer[], perm: Int32Array, tag: string): Omit<NonNullable<GroupReport['permutation']>, 'order'> {
    const fold = this.apply === 'fold' ? planFold(this.index, siblings, this.producersByNode) : undefined;
    if (fold?.ok) {
      this.folds.push({ plan: fold.plan, perm });
      return { apply: 'fold', foldedInto: fold.plan.producers.map((p) => p.name) };
    }
    insertGather(this.editor, siblings, perm, tag);
    return { apply: 'gather', ...(fold && !fold.ok && { fallbackReason: fold.reason }) };
  }

  /**
   * Permutes the producers' output units and the per-channel constants of every fold in `weights`
   * (starting from the values already there, e.g. pruned, else the stored ones) and returns the graph
   * with the Gathers inserted.
   */
  async finish(weights: Map<string, Float32Array>): Promise<ModelProto> {
    const current = async (name: string) => weights.get(name) ?? (await readWeight(this.model, name));
    for (const { plan, perm } of this.folds) {
      for (const p of plan.producers) weights.set(p.weight, permuteOutputs({ data: await current(p.weight), K: p.K, N: p.N, layout: p.layout }, perm));
      for (const c of plan.constants) weights.set(c, permuteLastAxis(await current(c), perm));
    }
    return this.editor.changed ? { ...this.model.proto, graph: this.editor.build() } : this.model.proto;
  }
}
