import type { CompareResult } from '../core/pipeline/compare-methods';

/** The side-by-side table of `merino compare` and `merino demo`, with the mask overlap matrix under it. */
export function formatCompareTable(r: CompareResult): string {
  const lines = [`model ${r.model}`, compareSubtitle(r), '', ...table(COMPARE_HEADER, compareRows(r))];
  for (const o of overlapTables(r)) lines.push('', `mask overlap at ${o.target} (fraction of kept positions shared):`, ...table(['', ...o.labels], o.rows));
  return lines.join('\n') + '\n';
}

export const COMPARE_HEADER = ['pattern', 'method', 'perplexity', 'vs dense', 'retained score', 'sparsity', 'time'];

/** The formatted cells of the methods table (a dense row first), shared by the CLI and the comparison panel. */
export function compareRows(r: CompareResult): string[][] {
  return [
    ['dense', '', r.dense.ppl.toFixed(3), '', '', '', ''],
    ...r.rows.map((row) => [row.target, row.label, row.ppl.toFixed(3), `${row.ppl >= r.dense.ppl ? '+' : ''}${(((row.ppl - r.dense.ppl) / r.dense.ppl) * 100).toFixed(1)}%`, `${(row.retainedRatio * 100).toFixed(2)}%`, `${(row.sparsity * 100).toFixed(1)}%`, `${(row.ms / 1000).toFixed(2)} s`]),
  ];
}

export function compareSubtitle(r: CompareResult): string {
  return `perplexity over ${r.dense.windows} windows of ${r.dense.seqlen} tokens; calibration ${r.calibration ? `${r.calibration.samples} × ${r.calibration.seqlen} tokens, ${(r.calibrationMs / 1000).toFixed(1)} s, shared by all methods` : 'none'}`;
}

/** One mask-overlap matrix per target with at least two methods: labels and rows [label, overlap...]. */
export function overlapTables(r: CompareResult): { target: string; labels: string[]; rows: string[][] }[] {
  const out: { target: string; labels: string[]; rows: string[][] }[] = [];
  for (const target of new Set(r.rows.map((row) => row.target))) {
    const idx = r.rows.flatMap((row, i) => (row.target === target ? [i] : []));
    if (idx.length < 2) continue;
    const labels = idx.map((i) => r.rows[i]!.label);
    out.push({ target, labels, rows: idx.map((i, a) => [labels[a]!, ...idx.map((j) => r.overlap[i]![j]!.toFixed(3))]) });
  }
  return out;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}
