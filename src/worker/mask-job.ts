import { basename } from 'node:path';
import { findLinearLayers, type LinearLayer } from '../core/onnx/linear-layers';
import { loadModel, type OnnxModel } from '../core/onnx/model-file';
import { readWeight } from '../core/onnx/stored-tensors';
import { throwIfAborted, UserError } from '../core/errors';
import type { MaskChannelOrder, MaskComparison, MaskJob, MaskOrder, MaskResult, WorkerToHost } from '../protocol/job-messages';
import { channelOrderFromReport, reorderMask, unknownChannelOrder } from './mask-channel-order';
import { maskOverlapCounts, overlapFraction } from './mask-overlap-counts';
import { readPruneReport } from './mask-report';

/** Packs W ≠ 0 into bits in (n, k) order: row n = output unit, k along K, for either stored layout. */
export function packMask(w: Float32Array, layout: 'KN' | 'NK', K: number, N: number): { bits: Uint8Array; zeros: number } {
  const bits = new Uint8Array(Math.ceil((K * N) / 8));
  let zeros = 0;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const v = layout === 'KN' ? w[k * N + n] : w[n * K + k];
      const i = n * K + k;
      if (v !== 0) bits[i >> 3] |= 1 << (i & 7);
      else zeros++;
    }
  }
  return { bits, zeros };
}

/** One layer's stored mask with its channel order from the model's prune report. */
interface LayerMask {
  layer: LinearLayer;
  bits: Uint8Array;
  zeros: number;
  channels: MaskChannelOrder;
  pattern?: string;
}

async function readLayerMask(model: OnnxModel, layer: LinearLayer): Promise<LayerMask> {
  const { bits, zeros } = packMask(await readWeight(model, layer.weight), layer.layout, layer.K, layer.N);
  const found = await readPruneReport(model.path);
  if (!found.report) return { layer, bits, zeros, channels: unknownChannelOrder(`${found.problem}: no permutation known, the mask is in stored order`) };
  const channels = channelOrderFromReport(found.report, found.file, { name: layer.name, K: layer.K, N: layer.N, zeros });
  return { layer, bits, zeros, channels, pattern: found.report.options?.pattern ?? undefined };
}

/**
 * B's mask of A's layer, compared position by position in the original channel order (each model's own report
 * undoes its shuffle), then shown in `order` (A's stored order, or the original one). Failures become `error`.
 */
async function compareMasks(a: LayerMask, other: string, order: MaskOrder, signal: AbortSignal): Promise<MaskComparison> {
  try {
    const model = await loadModel(other);
    throwIfAborted(signal);
    const layer = findLinearLayers(model).layers.find((l) => l.name === a.layer.name);
    if (!layer) throw new UserError(`${basename(other)} has no prunable layer named "${a.layer.name}"`, 'compare models pruned from the same base model');
    if (layer.K !== a.layer.K || layer.N !== a.layer.N) throw new UserError(`${a.layer.name} is ${layer.K}×${layer.N} (K×N) in ${basename(other)} but ${a.layer.K}×${a.layer.N} here`, 'compare models pruned from the same base model');
    const b = await readLayerMask(model, layer);
    const { K, N } = layer;
    const aOriginal = reorderMask(a.bits, K, N, a.channels, 'original');
    const bOriginal = reorderMask(b.bits, K, N, b.channels, 'original');
    const counts = maskOverlapCounts(aOriginal, bOriginal, K * N);
    const bits = order === 'original' ? bOriginal : reorderMask(bOriginal, K, N, a.channels, 'stored');
    return { model: model.path, bits, counts, overlap: overlapFraction(counts), channels: b.channels };
  } catch (e) {
    if (signal.aborted) throw e;
    return { model: other, error: (e as Error).message };
  }
}

/** Reads one prunable layer's weight (lazily, with external data) and returns its mask, optionally reordered and compared. */
export async function runMaskJob(job: MaskJob, signal: AbortSignal, send: (m: WorkerToHost) => void): Promise<MaskResult> {
  const steps = job.compareWith ? 3 : 2;
  send({ type: 'progress', stage: 'reading model', done: 0, total: steps });
  const model = await loadModel(job.model);
  const layers = findLinearLayers(model).layers;
  if (layers.length === 0) throw new UserError(`${job.model}: no prunable layers`, 'run merino inspect to see why');
  const layer = job.layer ? layers.find((l) => l.name === job.layer) : layers[0];
  if (!layer) throw new UserError(`${job.model}: no prunable layer named "${job.layer}"`);
  throwIfAborted(signal);
  send({ type: 'progress', stage: 'reading weight', done: 1, total: steps, detail: layer.name });
  const a = await readLayerMask(model, layer);
  const order = job.order ?? 'stored';
  throwIfAborted(signal);
  send({ type: 'progress', stage: 'reading weight', done: 2, total: steps, detail: layer.name });
  const compare = job.compareWith ? await compareMasks(a, job.compareWith, order, signal) : undefined;
  if (compare) send({ type: 'progress', stage: 'comparing', done: 3, total: steps, detail: basename(job.compareWith!) });
  const info = (l: LinearLayer) => ({ name: l.name, K: l.K, N: l.N, layout: l.layout });
  return {
    model: model.path,
    layers: layers.map(info),
    layer: info(layer),
    bits: order === 'original' ? reorderMask(a.bits, layer.K, layer.N, a.channels, 'original') : a.bits,
    sparsity: a.zeros / (layer.K * layer.N),
    order,
    channels: a.channels,
    ...(a.pattern && { pattern: a.pattern }),
    ...(compare && { compare }),
  };
}
