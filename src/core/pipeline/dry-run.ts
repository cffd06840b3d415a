import { bytesPerElement, dtypeName } from '../onnx/dtype';
import type { OnnxModel } from '../onnx/model-file';
import { nmCompliant, sparsity } from '../onnx/nm-compliance';
import { readWeight } from '../onnx/stored-tensors';
import { denseReason, type NmPattern } from '../prune/pattern';
import type { LayerSelection } from './layer-selection';

export interface DryRunLayer {
  name: string;
  block: string | null;
  K: number;
  N: number;
  layout: 'KN' | 'NK';
  dtype: string;
  /** Fraction of zeros today. */
  sparsity: number;
  /** Whether the weight already satisfies the pattern along K. */
  compliant: boolean;
  /** Set when the layer would stay dense. */
  denseReason?: string;
  denseBytes: number;
  /** N:M storage: kept values + ⌈log2 M⌉-bit index per kept value (the 2:4 sparse-tensor-core format generalised). */
  compressedBytes: number;
}

export interface DryRun {
  pattern: string;
  layers: DryRunLayer[];
  skipped: { name: string; reason: string }[];
  totals: { denseBytes: number; compressedBytes: number; ratio: number };
}

/** What `merino prune --dry-run` reports: the layers that would be pruned and their storage, without calibration. */
export async function dryRun(model: OnnxModel, selection: LayerSelection, pattern: NmPattern): Promise<DryRun> {
  const layers: DryRunLayer[] = [];
  for (const l of selection.layers) {
    const data = await readWeight(model, l.weight);
    const bytes = bytesPerElement(l.dtype) ?? 4;
    const reason = denseReason(l.K, pattern);
    const denseBytes = l.K * l.N * bytes;
    const kept = (l.K * l.N * pattern.n) / pattern.m;
    const compressedBytes = reason ? denseBytes : kept * bytes + Math.ceil((kept * Math.ceil(Math.log2(pattern.m))) / 8);
    layers.push({
      name: l.name, block: l.block, K: l.K, N: l.N, layout: l.layout, dtype: dtypeName(l.dtype),
      sparsity: sparsity(data), compliant: nmCompliant(data, l.layout, l.K, l.N, pattern.n, pattern.m),
      ...(reason && { denseReason: reason }), denseBytes, compressedBytes,
    });
  }
  const denseBytes = layers.reduce((s, l) => s + l.denseBytes, 0);
  const compressedBytes = layers.reduce((s, l) => s + l.compressedBytes, 0);
  return { pattern: `${pattern.n}:${pattern.m}`, layers, skipped: selection.skipped, totals: { denseBytes, compressedBytes, ratio: denseBytes ? compressedBytes / denseBytes : 1 } };
}
