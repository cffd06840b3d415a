import type { InspectResult } from '../../protocol/job-messages';

/** One line on a model: parameters and sparsity status (dense, N:M-sparse, or pruned by MeRino with method and pattern). */
export function modelStatus({ summary, metadata }: InspectResult): string {
  const params = summary.parameters >= 1e9 ? `${(summary.parameters / 1e9).toFixed(2)} B` : `${(summary.parameters / 1e6).toFixed(2)} M`;
  if (metadata['merino.method']) return `${params} params · ${metadata['merino.pattern'] ?? '?'} ${metadata['merino.method']} (MeRino)`;
  const layers = summary.layers;
  const patterns = [...new Set(layers.flatMap((l) => Object.keys(l.nm)))];
  const met = patterns.filter((p) => layers.length > 0 && layers.every((l) => l.nm[p]));
  if (met.length) return `${params} params · ${met[0]}-sparse`;
  const zeros = layers.reduce((s, l) => s + l.sparsity * l.K * l.N, 0) / Math.max(1, layers.reduce((s, l) => s + l.K * l.N, 0));
  return `${params} params · ${zeros > 0.01 ? `${(zeros * 100).toFixed(0)}% zeros` : 'dense'}`;
}
