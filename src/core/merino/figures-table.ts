/** Plain-text tables of architecture figures, for the CLI (core formats, the CLI prints). */
import { formatQuantity } from '../config/quantity';
import { describeArch } from './architecture';
import type { ArchEstimate } from './estimate';
import type { Arch } from './architecture';

/** Left-aligned first column, right-aligned others, two spaces apart. */
export function renderTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 || c === r.length - 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toPrecision(3));
const pct = (m: number | undefined): string => (m === undefined ? '-' : `${(m * 100).toFixed(1)}%`);

/** Rows of figures (one column per architecture) for `merino estimate`. */
export function estimateTable(columns: { label: string; arch: Arch; e: ArchEstimate; measured?: { prefillMs: number; decodeMs?: number } }[]): string {
  const row = (name: string, f: (c: (typeof columns)[number]) => string) => [name, ...columns.map(f)];
  const l0 = columns[0].e.latency;
  const cal = l0?.calibrated ? ', calibrated' : ', roofline';
  const rows = [
    row('architecture', (c) => describeArch(c.arch)),
    row('parameters', (c) => `${formatQuantity(c.e.params)} (${c.e.params})`),
    row(`FLOPs @ ${columns[0].e.flopsSeqLen} tokens`, (c) => formatQuantity(c.e.flops)),
    ...(l0 ? [row(`prefill ms (${l0.device}, ${l0.seqLen} tok${cal})`, (c) => ms(c.e.latency?.prefillMs)), row(`decode ms (${l0.device}, ${l0.seqLen} positions${cal})`, (c) => ms(c.e.latency?.decodeMs))] : []),
    ...(columns.some((c) => c.measured) ? [row('measured prefill ms (this machine)', (c) => ms(c.measured?.prefillMs)), row('measured decode ms (this machine)', (c) => ms(c.measured?.decodeMs))] : []),
    row('entropy H (nats)', (c) => c.e.entropy.toFixed(2)),
    row('rho = layers / min width', (c) => c.e.rho.toPrecision(3)),
    ...(['params', 'flops', 'latency', 'rho'] as const).filter((k) => columns.some((c) => c.e.margins[k] !== undefined)).map((k) => row(`headroom ${k}`, (c) => pct(c.e.margins[k]))),
    row('fits every budget', (c) => (c.e.feasible ? 'yes' : `no (${c.e.violations.join(', ')})`)),
  ];
  return renderTable(['', ...columns.map((c) => c.label)], rows);
}

/** One row per ranked result for `merino search`. */
export function resultsTable(entries: { rank: number; arch: Arch; estimate: Omit<ArchEstimate, 'violations' | 'feasible'> }[]): string {
  const hasLatency = entries.some((e) => e.estimate.latency);
  const header = ['rank', 'entropy', 'params', 'FLOPs', ...(hasLatency ? ['latency ms'] : []), 'rho', 'architecture'];
  const rows = entries.map(({ rank, arch, estimate: e }) => [String(rank), e.entropy.toFixed(2), formatQuantity(e.params), formatQuantity(e.flops), ...(hasLatency ? [ms(e.latency?.ms)] : []), e.rho.toPrecision(3), describeArch(arch)]);
  return renderTable(header, rows);
}
