import type { ModelProto } from 'onnx-buf';
import { throwIfAborted } from '../errors';
import type { JobOptions } from '../progress';
import type { LayerScan } from '../onnx/linear-layers';
import type { OnnxModel } from '../onnx/model-file';
import { readWeight } from '../onnx/stored-tensors';
import { PatternPruner } from '../prune/nm-kernel';
import type { ChannelStats } from '../stats/channel-stats';
import { pruneGroup, type GroupJob, type GroupResult } from './group-pruning';
import { defaultPruneWorkers, GroupWorkers } from './group-workers';
import type { LayerSelection } from './layer-selection';
import { PermutationWriter } from './permutation-writer';
import { runsShuffle, type MethodOptions } from './prune-options';
import type { GroupReport, LayerReport, PruneTotals } from './prune-report';

/** The result of pruning in memory: new weights, the edited graph, and what happened per layer. */
export interface PrunePlan {
  /** Stored tensor name → new values (pruned, permuted), written in the tensor's own dtype. */
  weights: Map<string, Float32Array>;
  proto: ModelProto;
  layers: LayerReport[];
  groups: GroupReport[];
  totals: PruneTotals;
  /** Kept positions per layer in the original channel order (1 = kept), when asked for. */
  keptMasks?: Map<string, Uint8Array>;
  /** Wall time of scoring + masks and of the shuffles, in ms. */
  ms: { scoring: number; shuffle: number };
}

export interface PlanOptions extends JobOptions {
  /** Keep each layer's mask in the original channel order (for comparing methods). */
  keepMasks?: boolean;
  /** Worker threads for the per-group work (default: one per core with a shuffle, else 0: all in this thread). */
  workers?: number;
}

/**
 * Prunes the selected layers, one sibling group at a time (group-pruning.ts: scores, the group's
 * shared channel permutation, masks), the groups spread over worker threads; then writes each
 * permutation as a Gather or folds it into the producers, in group order. `stats` holds the
 * calibration statistics per activation.
 */
export async function planPruning(
  model: OnnxModel,
  scan: LayerScan,
  selection: LayerSelection,
  stats: Map<string, ChannelStats> | undefined,
  method: MethodOptions,
  opts: PlanOptions = {},
): Promise<PrunePlan> {
  const weights = new Map<string, Float32Array>();
  const writer = new PermutationWriter(model, scan, method.apply);
  const layers: LayerReport[] = [];
  const groups: GroupReport[] = [];
  const keptMasks = opts.keepMasks ? new Map<string, Uint8Array>() : undefined;
  const ms = { scoring: 0, shuffle: 0 };
  let sums = { retained: 0, total: 0 };
  const total = selection.groups.length;

  /** Adds group g's result to the plan (in group order, so the graph edits are deterministic). */
  const finish = (g: number, result: GroupResult): void => {
    const siblings = selection.groups[g]!;
    const { retainedBefore, retainedAfter } = result;
    const group: GroupReport = { input: siblings[0]!.input, layers: siblings.map((l) => l.name), stages: result.stages, permutation: null, ...(retainedBefore !== undefined && { retainedBefore, retainedAfter }) };
    groups.push(group);
    siblings.forEach((layer, i) => {
      const r = result.layers[i]!;
      const base = { name: layer.name, block: layer.block, weight: layer.weight, op: layer.op, layout: layer.layout, K: layer.K, N: layer.N, group: g, ...result.summaries, ms: result.ms.total / siblings.length };
      const size = layer.K * layer.N;
      if (r.status === 'dense') {
        layers.push({ ...base, status: 'dense', denseReason: r.denseReason, zeros: r.zeros, sparsity: r.zeros / size, retainedRatio: 1 });
        return;
      }
      weights.set(layer.weight, r.weight);
      if (r.keptMask) keptMasks?.set(layer.name, r.keptMask);
      sums = { retained: sums.retained + r.retained, total: sums.total + r.total };
      layers.push({ ...base, status: 'pruned', zeros: r.zeros, sparsity: r.zeros / size, retainedRatio: r.total > 0 ? r.retained / r.total : 1 });
    });
    if (result.perm) group.permutation = { ...writer.write(siblings, result.perm, String(g)), order: Array.from(result.perm) };
    ms.shuffle += result.ms.shuffle;
    ms.scoring += result.ms.total - result.ms.shuffle;
    opts.onProgress?.({ stage: 'pruning', done: g + 1, total, detail: siblings.map((l) => l.name).join(', ') });
  };

  // Threads pay off for the shuffle; without it a group takes ~20 ms and starting them costs more.
  const pool = total > 1 ? GroupWorkers.start(opts.workers ?? (runsShuffle(method) ? defaultPruneWorkers() : 0), opts.signal) : undefined;
  const pruner = !pool && method.pattern ? new PatternPruner(method.pattern) : undefined;
  try {
    opts.onProgress?.({ stage: 'pruning', done: 0, total });
    // At most two groups per thread in flight: enough to keep every thread busy, bounded in memory.
    const limit = pool ? 2 * pool.size : 1;
    const running: Promise<GroupResult>[] = [];
    let next = 0;
    for (const [g, siblings] of selection.groups.entries()) {
      throwIfAborted(opts.signal);
      const job: GroupJob = {
        layers: await Promise.all(siblings.map(async (l) => ({ name: l.name, data: await readWeight(model, l.weight), K: l.K, N: l.N, layout: l.layout }))),
        stats: stats?.get(siblings[0]!.input),
        method,
        keepMasks: !!opts.keepMasks,
      };
      const result = pool ? pool.run(job) : Promise.resolve(pruneGroup(job, pruner, opts.signal));
      result.catch(() => undefined); // awaited in order below; a later group's failure must not go unhandled meanwhile
      running.push(result);
      if (g - next + 1 >= limit) finish(next, await running[next++]!);
    }
    while (next < total) finish(next, await running[next++]!);
  } finally {
    await pool?.close();
  }
  throwIfAborted(opts.signal);
  const proto = await writer.finish(weights);
  return { weights, proto, layers, groups, totals: totalsOf(layers, sums), keptMasks, ms };
}

function totalsOf(layers: LayerReport[], sums: { retained: number; total: number }): PruneTotals {
  const weights = layers.reduce((s, l) => s + l.K * l.N, 0);
  const zeros = layers.reduce((s, l) => s + l.zeros, 0);
  const pruned = layers.filter((l) => l.status === 'pruned').length;
  return { layers: layers.length, pruned, dense: layers.length - pruned, weights, zeros, sparsity: weights ? zeros / weights : 0, retainedRatio: sums.total > 0 ? sums.retained / sums.total : 1 };
}
