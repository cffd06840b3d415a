import { findLinearLayers } from '../core/onnx/linear-layers';
import { loadModel } from '../core/onnx/model-file';
import { readWeight } from '../core/onnx/stored-tensors';
import { throwIfAborted, UserError } from '../core/errors';
import type { MaskJob, MaskResult, WorkerToHost } from '../protocol/job-messages';

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

/** Reads one prunable layer's weight (lazily, with external data) and returns its mask. */
export async function runMaskJob(job: MaskJob, signal: AbortSignal, send: (m: WorkerToHost) => void): Promise<MaskResult> {
  send({ type: 'progress', stage: 'reading model', done: 0, total: 2 });
  const model = await loadModel(job.model);
  const layers = findLinearLayers(model).layers;
  if (layers.length === 0) throw new UserError(`${job.model}: no prunable layers`, 'run merino inspect to see why');
  const layer = job.layer ? layers.find((l) => l.name === job.layer) : layers[0];
  if (!layer) throw new UserError(`${job.model}: no prunable layer named "${job.layer}"`);
  throwIfAborted(signal);
  send({ type: 'progress', stage: 'reading weight', done: 1, total: 2, detail: layer.name });
  const w = await readWeight(model, layer.weight);
  const { bits, zeros } = packMask(w, layer.layout, layer.K, layer.N);
  send({ type: 'progress', stage: 'reading weight', done: 2, total: 2, detail: layer.name });
  const info = (l: typeof layer) => ({ name: l.name, K: l.K, N: l.N, layout: l.layout });
  return { model: model.path, layers: layers.map(info), layer: info(layer), bits, sparsity: zeros / (layer.K * layer.N) };
}
