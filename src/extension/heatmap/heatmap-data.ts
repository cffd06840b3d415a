import type { HeatmapData } from '../../protocol/heatmap-messages';
import { DEFAULT_ALPHA } from '../../core/pipeline/prune-options';
import { relativeToMean } from '../../core/prune/channel-metrics';
import type { StatsFile } from '../../core/stats/stats-file';

/** α for the E-Sparse channel score shown in the heatmap (ALGORITHMS.md §1: Ĥ_k + α·r̂_k): the pruner's default. */
export const HEATMAP_ALPHA = DEFAULT_ALPHA;

/** A short row label: the layers that read the tensor, without the common `/model/` noise. */
export function rowLabel(layers: string[], tensor: string): string {
  const names = layers.length ? layers : [tensor];
  const short = names.map((n) => n.replace(/^\//, '').replace(/\/(MatMul|Gemm)(_\d+)?$/, ''));
  return short.length > 1 ? `${short[0]} (+${short.length - 1})` : short[0];
}

/** Concatenates the stats file's per-entry arrays into the heatmap's rows, adding E-Sparse's channel factor (as core/prune's esparseChannelFactors). */
export function buildHeatmapData(stats: StatsFile, title: string, alpha = HEATMAP_ALPHA): HeatmapData {
  const entries = stats.header.entries;
  const rowOffsets = new Uint32Array(entries.length + 1);
  entries.forEach((e, i) => (rowOffsets[i + 1] = rowOffsets[i] + e.channels));
  const total = rowOffsets[entries.length];
  const entropy = new Float32Array(total);
  const rms = new Float32Array(total);
  const score = new Float32Array(total);
  const lnBins = Math.log(stats.header.bins);
  entries.forEach((e, i) => {
    const a = stats.arrays.get(e.tensor);
    if (!a) throw new Error(`${title}: the stats file has no arrays for ${e.tensor}`);
    const at = rowOffsets[i];
    entropy.set(a.entropy, at);
    rms.set(a.rms, at);
    const rHat = relativeToMean(Float64Array.from(a.rms));
    for (let k = 0; k < e.channels; k++) score[at + k] = a.entropy[k] / lnBins + alpha * rHat[k];
  });
  return { title, rows: entries.map((e) => rowLabel(e.layers, e.tensor)), rowOffsets, metrics: { entropy, rms, score }, alpha };
}
