import type { GraphProto, ModelProto, NodeProto, ValueInfoProto } from 'onnx-buf';
import { declaredValues, nodeInputs, outputInfo, subgraph } from './tap-model';

/**
 * One stage of the staged calibration pass (docs/calibration.md): a piece of the tap graph that runs
 * over every window before the next stage starts, so that the activations of its taps can be held
 * in memory until their exact min/max are known and their histograms counted.
 */
export interface CalibrationStage {
  /** The nodes this stage runs, in graph order. */
  nodes: NodeProto[];
  /** Indices (into the tap list) of the taps this stage outputs. */
  taps: number[];
  /** Tensors computed by earlier stages that this stage reads (fed back per window). */
  carriedIn: string[];
  /** Tensors this stage computes that later stages read. */
  carriedOut: string[];
}

/**
 * Cuts the tap graph (buildTapModel: outputs = `tapOutputs`) into stages: consecutive taps, as many
 * per stage as fit in `budgetBytes` (`tapBytes[i]` = tap i's activation over all windows; at least
 * one tap per stage), whole decoder blocks (`blocks`) where they fit. A node that depends on the windows runs in the first stage where its inputs
 * exist, but never before the stage of a tap it outputs, so a stage hands the next one little more
 * than the residual stream; a node that does not depend on the windows (weight-only arithmetic) runs
 * in every stage that reads it. Returns null when a stage would need a tap of a later stage (taps out
 * of graph order), so the caller uses a single-pass method instead.
 */
export function planStages(
  graph: GraphProto,
  tapOutputs: readonly string[],
  tapBytes: readonly number[],
  budgetBytes: number,
  blocks: readonly (string | null)[] = tapOutputs.map(() => null),
): CalibrationStage[] | null {
  const tapStage = groupTaps(tapBytes, blocks, budgetBytes);
  const stageCount = (tapStage.at(-1) ?? -1) + 1;
  const producer = new Map<string, number>();
  graph.node.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const needed = firstNeeded(graph, producer, tapOutputs, tapStage);
  const tapOf = new Map(tapOutputs.map((t, i) => [t, i]));
  const graphInputs = new Set(graph.input.map((v) => v.name));
  const initializers = new Set(graph.initializer.map((t) => t.name));
  // stage[i] = the stage node i runs in; −1 for nodes that do not depend on the windows.
  const stage = new Int32Array(graph.node.length).fill(-1);
  for (let i = 0; i < graph.node.length; i++) {
    const node = graph.node[i]!;
    let s = -1;
    for (const name of nodeInputs(node)) {
      const p = producer.get(name);
      if (p !== undefined) s = Math.max(s, stage[p]!);
      else if (graphInputs.has(name) && !initializers.has(name)) s = Math.max(s, 0);
    }
    for (const o of node.output) if (tapOf.has(o)) s = Math.max(s, tapStage[tapOf.get(o)!]!);
    if (s > needed[i]!) return null;
    stage[i] = s;
  }
  return Array.from({ length: stageCount }, (_, s) => stageAt(graph, s, stage, producer, tapStage));
}

/**
 * Consecutive taps per stage, each stage holding at most `budget` bytes (but at least one tap).
 * Stages end between decoder blocks where they can (`blocks[i]`: tap i's block, null when unknown):
 * a boundary inside a block carries the block's wide intermediates (the MLP activation) per window.
 */
function groupTaps(tapBytes: readonly number[], blocks: readonly (string | null)[], budget: number): number[] {
  const runs: number[][] = [];
  tapBytes.forEach((_, i) => {
    const same = i > 0 && blocks[i] !== null && blocks[i] === blocks[i - 1];
    if (same) runs.at(-1)!.push(i);
    else runs.push([i]);
  });
  const stageOf: number[] = [];
  let stage = -1;
  let used = Infinity;
  const place = (taps: number[], bytes: number) => {
    if (used + bytes > budget) [stage, used] = [stage + 1, 0];
    used += bytes;
    for (const t of taps) stageOf[t] = stage;
  };
  for (const run of runs) {
    const bytes = run.reduce((a, t) => a + tapBytes[t]!, 0);
    if (bytes <= budget) place(run, bytes);
    else for (const t of run) place([t], tapBytes[t]!); // a block larger than a stage: cut inside it
  }
  return stageOf;
}

/** For every node, the first stage whose taps need it (Infinity when no tap needs it). */
function firstNeeded(graph: GraphProto, producer: Map<string, number>, tapOutputs: readonly string[], tapStage: readonly number[]): number[] {
  const needed = graph.node.map(() => Infinity);
  tapOutputs.forEach((tap, t) => {
    const stack = [tap];
    while (stack.length) {
      const i = producer.get(stack.pop()!);
      if (i === undefined || needed[i]! <= tapStage[t]!) continue;
      needed[i] = tapStage[t]!;
      stack.push(...nodeInputs(graph.node[i]!));
    }
  });
  return needed;
}

function stageAt(graph: GraphProto, s: number, stage: Int32Array, producer: Map<string, number>, tapStage: readonly number[]): CalibrationStage {
  const runs = new Set<number>();
  graph.node.forEach((_, i) => stage[i] === s && runs.add(i));
  // Weight-only nodes this stage reads, with their own weight-only inputs.
  const stack = [...runs].flatMap((i) => nodeInputs(graph.node[i]!));
  while (stack.length) {
    const p = producer.get(stack.pop()!);
    if (p === undefined || stage[p] !== -1 || runs.has(p)) continue;
    runs.add(p);
    stack.push(...nodeInputs(graph.node[p]!));
  }
  const nodes = graph.node.filter((_, i) => runs.has(i));
  const carriedIn = unique(nodes.flatMap(nodeInputs).filter((name) => {
    const p = producer.get(name);
    return p !== undefined && stage[p]! >= 0 && stage[p]! < s;
  }));
  const laterReads = new Set(graph.node.flatMap((n, i) => (stage[i]! > s ? nodeInputs(n) : [])));
  const carriedOut = unique(nodes.flatMap((n) => n.output).filter((o) => laterReads.has(o) && stage[producer.get(o)!] === s));
  const taps = tapStage.flatMap((ts, t) => (ts === s ? [t] : []));
  return { nodes, taps, carriedIn, carriedOut };
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

/**
 * The model that runs one stage: its nodes, the graph inputs and stored tensors they read, the
 * carried tensors as inputs (typed by `carriedTypes`), and as outputs its taps' outputs then the
 * tensors it carries out. The original proto is not modified; tensors are shared, not copied.
 */
export function stageModel(proto: ModelProto, stage: CalibrationStage, tapOutputs: readonly string[], carriedTypes: ReadonlyMap<string, ValueInfoProto>): ModelProto {
  const graph = proto.graph!;
  const typed = declaredValues(graph);
  const output = unique([...stage.taps.map((t) => tapOutputs[t]!), ...stage.carriedOut]).map((name) => outputInfo(name, typed.get(name)));
  return { ...proto, graph: subgraph(graph, stage.nodes, output, stage.carriedIn.map((name) => carriedTypes.get(name)!)) };
}
