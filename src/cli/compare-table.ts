import type { CompareResult } from '../core/pipeline/compare-methods';

/** The side-by-side table of `merino compare` and `merino demo`, with the mask overlap matrix under it. */
export function formatCompareTable(r: CompareResult): string {
  const header = ['pattern', 'method', 'perplexity', 'vs dense', 'retained score', 'sparsity', 'time'];
  const rows = [
    ['dense', '', r.dense.ppl.toFixed(3), '', '', '', ''],
    ...r.rows.map((row) => [row.target, row.label, row.ppl.toFixed(3), `${row.ppl >= r.dense.ppl ? '+' : ''}${(((row.ppl - r.dense.ppl) / r.dense.ppl) * 100).toFixed(1)}%`, `${(row.retainedRatio * 100).toFixed(2)}%`, `${(row.sparsity * 100).toFixed(1)}%`, `${(row.ms / 1000).toFixed(2)} s`]),
  ];
  const lines = [`model ${r.model}`, `perplexity over ${r.dense.windows} windows of ${r.dense.seqlen} tokens; calibration ${r.calibration ? `${r.calibration.samples} × ${r.calibration.seqlen} tokens, ${(r.calibrationMs / 1000).toFixed(1)} s, shared by all methods` : 'none'}`, '', ...table(header, rows)];
  for (const target of new Set(r.rows.map((row) => row.target))) {
    const idx = r.rows.flatMap((row, i) => (row.target === target ? [i] : []));
    if (idx.length < 2) continue;
    const labels = idx.map((i) => r.rows[i]!.label);
    lines.push('', `mask overlap at ${target} (fraction of kept positions shared):`, ...table(['', ...labels], idx.map((i, a) => [labels[a]!, ...idx.map((j) => r.overlap[i]![j]!.toFixed(3))])));
  }
  return lines.join('\n') + '\n';
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}
