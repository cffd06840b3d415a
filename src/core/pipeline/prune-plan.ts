import type { ModelProto } from 'onnx-buf';
import { throwIfAborted } from '../errors';
import type { JobOptions } from '../progress';
import type { LayerScan } from '../onnx/linear-layers';
import type { OnnxModel } from '../onnx/model-file';
import { countZeros } from '../onnx/nm-compliance';
import { readWeight } from '../onnx/stored-tensors';
import { applyMask } from '../prune/apply-mask';
import { PatternPruner } from '../prune/nm-kernel';
import { shuffleChannels, type ShuffleResult } from '../prune/channel-shuffle';
import { isIdentity, permuteChannels } from '../prune/permutation';
import { pruningScores } from '../prune/scores';
import { unstructuredMask } from '../prune/unstructured-mask';
import type { WeightMatrix } from '../prune/weight-matrix';
import { strides } from '../prune/weight-matrix';
import { channelEntropy, channelRms, type ChannelStats } from '../stats/channel-stats';
import type { LayerSelection } from './layer-selection';
import { PermutationWriter } from './permutation-writer';
import type { MethodOptions } from './prune-options';
import { summarize, type GroupReport, type LayerReport, type PruneTotals } from './prune-report';

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
}

/**
 * Prunes the selected layers, one sibling group at a time: scores (ALGORITHMS.md §1), the group's
 * shared channel permutation (§2), masks on the permuted scores, and the permutation written as a
 * Gather or folded into the producers. `stats` holds the calibration statistics per activation.
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
  const pruner = method.pattern && new PatternPruner(method.pattern);
  let sums = { retained: 0, total: 0 };

  for (const [g, siblings] of selection.groups.entries()) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ stage: 'pruning', done: g, total: selection.groups.length, detail: siblings.map((l) => l.name).join(', ') });
    const started = performance.now();
    const channelStats = stats?.get(siblings[0]!.input);
    const matrices = await Promise.all(siblings.map(async (l) => ({ data: await readWeight(model, l.weight), K: l.K, N: l.N, layout: l.layout }) as WeightMatrix));
    const scoresOf = (i: number, into?: Float32Array): WeightMatrix => ({ ...matrices[i]!, data: pruningScores(method.method, matrices[i]!, channelStats, { alpha: method.alpha, name: siblings[i]!.name, into }) });
    // The shuffle needs every sibling's scores at once; without it each layer's scores go straight into the pruner's memory.
    const shuffles = method.pattern && !method.sparsity && method.shuffle !== 'none';
    const scores = shuffles ? matrices.map((_, i) => scoresOf(i)) : undefined;
    const shuffle = scores ? shuffleChannels(scores, method.pattern!, { mode: method.shuffle, block: method.block, signal: opts.signal }) : undefined;
    const shuffleMs = shuffle?.stages.reduce((s, st) => s + st.ms, 0) ?? 0;
    ms.shuffle += shuffleMs;
    const perm = shuffle && !isIdentity(shuffle.perm) ? shuffle.perm : undefined;
    const group: GroupReport = { input: siblings[0]!.input, layers: siblings.map((l) => l.name), stages: shuffle?.stages ?? [], permutation: null, ...retainedRatios(shuffle) };
    groups.push(group);
    const summaries = channelStats && { rms: summarize(channelRms(channelStats)), ...(channelStats.histogram && { entropy: summarize(channelEntropy(channelStats)) }) };

    siblings.forEach((layer, i) => {
      const weight = perm ? permuteChannels(matrices[i]!, perm) : matrices[i]!;
      const score = !scores ? scoresOf(i, pruner?.scoresFor(weight)) : perm ? permuteChannels(scores[i]!, perm) : scores[i]!;
      const mask = method.sparsity !== undefined ? unstructuredMask(score, method.sparsity) : pruner!.run(weight, score);
      const base = { name: layer.name, block: layer.block, weight: layer.weight, op: layer.op, layout: layer.layout, K: layer.K, N: layer.N, group: g, ...summaries };
      if (mask.kind === 'dense') {
        const zeros = countZeros(weight.data);
        layers.push({ ...base, status: 'dense', denseReason: mask.reason, zeros, sparsity: zeros / weight.data.length, retainedRatio: 1, ms: 0 });
        return;
      }
      // The N:M pruner zeroes the weights itself; the unstructured mask is applied here.
      const zeros = mask.kind === 'nm' ? mask.zeros : (applyMask(weight.data, mask.mask), countZeros(weight.data));
      weights.set(layer.weight, weight.data);
      keptMasks?.set(layer.name, perm ? unpermuteMask(mask.mask, weight, perm) : mask.mask.slice());
      sums = { retained: sums.retained + mask.retained, total: sums.total + mask.total };
      layers.push({ ...base, status: 'pruned', zeros, sparsity: zeros / weight.data.length, retainedRatio: mask.total > 0 ? mask.retained / mask.total : 1, ms: 0 });
    });

    if (perm) group.permutation = { ...writer.write(siblings, perm, String(g)), order: Array.from(perm) };
    const elapsed = performance.now() - started;
    ms.scoring += elapsed - shuffleMs;
    for (const l of layers.slice(-siblings.length)) l.ms = elapsed / siblings.length;
  }
  const proto = await writer.finish(weights);
  opts.onProgress?.({ stage: 'pruning', done: selection.groups.length, total: selection.groups.length });

  return { weights, proto, layers, groups, totals: totalsOf(layers, sums), keptMasks, ms };
}

/** The mask of a permuted layer mapped back to the original channel order: M[π k', n] = M'[k', n]. */
function unpermuteMask(mask: Uint8Array, shape: WeightMatrix, perm: Int32Array): Uint8Array {
  const { kStride, nStride } = strides(shape);
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < shape.K; k++) for (let n = 0; n < shape.N; n++) out[perm[k]! * kStride + n * nStride] = mask[k * kStride + n * nStride]!;
  return out;
}

function retainedRatios(shuffle: ShuffleResult | undefined): Pick<GroupReport, 'retainedBefore' | 'retainedAfter'> {
  if (!shuffle || shuffle.denseReason || shuffle.stages.length === 0 || shuffle.total <= 0) return {};
  const first = shuffle.stages[0]!.before;
  const best = Math.max(first, ...shuffle.stages.filter((s) => s.applied).map((s) => s.after));
  return { retainedBefore: first / shuffle.total, retainedAfter: best / shuffle.total };
}

function totalsOf(layers: LayerReport[], sums: { retained: number; total: number }): PruneTotals {
  const weights = layers.reduce((s, l) => s + l.K * l.N, 0);
  const zeros = layers.reduce((s, l) => s + l.zeros, 0);
  const pruned = layers.filter((l) => l.status === 'pruned').length;
  return { layers: layers.length, pruned, dense: layers.length - pruned, weights, zeros, sparsity: weights ? zeros / weights : 0, retainedRatio: sums.total > 0 ? sums.retained / sums.total : 1 };
}
