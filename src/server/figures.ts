/**
 * Markdown of the computed figures shown on hover: for `arch` or one of its blocks, the arch's
 * params, FLOPs, latency, entropy and ρ with the margin to each budget; for `budget`, the same
 * for `arch` when there is one, otherwise for the smallest and largest architectures of the
 * search space (which bound every candidate).
 */
import { formatQuantity } from '../core/config/quantity';
import type { MerinoDocument } from '../core/config/merino-document';
import type { MerinoConfig } from '../core/config/merino-config';
import { type Arch, describeArch, headDim } from '../core/merino/architecture';
import { type ArchEstimate, type DesignContext, estimateArch } from '../core/merino/estimate';
import { spaceExtremes } from '../core/merino/search-space';

/** Sections the cost model reads: figures would be computed from defaults while they hold errors. */
const NEEDED = ['model', 'budget', 'devices', 'entropy'] as const;

export type FigureTarget = { kind: 'arch' } | { kind: 'block'; index: number } | { kind: 'budget' };

export function figuresMarkdown(doc: MerinoDocument, target: FigureTarget): string | undefined {
  const broken = NEEDED.filter((s) => doc.invalid.has(s));
  if (broken.length) return `*MeRino figures: fix the problems in ${broken.join(', ')} first.*`;
  const c = doc.config;
  const ctx: DesignContext = { model: c.model, budget: c.budget, entropy: c.entropy, devices: c.devices };
  const arch = doc.invalid.has('arch') ? undefined : c.arch;
  if (target.kind === 'budget' && !arch) return extremesMarkdown(c, ctx);
  if (!arch) return undefined;
  const e = estimateArch(arch, ctx);
  const verdict = e.feasible ? 'Fits every budget.' : `Over budget: ${e.violations.map((v) => (v === 'rho' ? 'ρ > β' : v)).join(', ')}.`;
  return [headline(arch, target), '', ...figureTable(c, [['arch', e]]), '', verdict].join('\n');
}

function headline(arch: Arch, target: FigureTarget): string {
  if (target.kind !== 'block') return `**arch**: ${describeArch(arch)}`;
  const b = arch.blocks[target.index];
  if (!b) return `**arch**: ${describeArch(arch)}`;
  return `**block ${target.index}**: ${b.layers} layers × width ${b.width}, ${b.heads} heads of ${Number(headDim(b).toFixed(2))}, FFN ${b.ffnDim}${b.shared ? ', shared' : ''} — figures of the whole arch:`;
}

function extremesMarkdown(c: MerinoConfig, ctx: DesignContext): string | undefined {
  const ext = spaceExtremes(c.searchSpace);
  if (!ext) return undefined;
  const columns: [string, ArchEstimate][] = [
    ['smallest', estimateArch(ext.smallest, ctx)],
    ['largest', estimateArch(ext.largest, ctx)],
  ];
  const title = '**search space** (no `arch`): every candidate lies between its smallest and largest architectures';
  return [title, '', ...figureTable(c, columns)].join('\n');
}

const pct = (m: number | undefined): string => (m === undefined ? '' : ` (${m >= 0 ? '+' : '−'}${Math.abs(m * 100).toFixed(1)}%)`);
const ms = (v: number): string => `${Number(v.toPrecision(4))} ms`;

/** Rows: figure, one column per estimate (value with margin), then the budget. */
function figureTable(c: MerinoConfig, columns: [string, ArchEstimate][]): string[] {
  const b = c.budget;
  const row = (name: string, cells: string[], limit: string) => `| ${name} | ${cells.join(' | ')} | ${limit} |`;
  const rows = [
    row('', columns.map(([n]) => n), 'budget'),
    `|---|${columns.map(() => '--:|').join('')}--:|`,
    row('Parameters', columns.map(([, e]) => `${formatQuantity(e.params)}${pct(e.margins.params)}`), b.params === undefined ? '—' : formatQuantity(b.params)),
    row(`FLOPs (S = ${columns[0][1].flopsSeqLen})`, columns.map(([, e]) => `${formatQuantity(e.flops)}${pct(e.margins.flops)}`), b.flops === undefined ? '—' : formatQuantity(b.flops)),
  ];
  const l = b.latency;
  if (l) {
    const cells = columns.map(([, e]) => (e.latency ? `${ms(e.latency.ms)}${pct(e.margins.latency)}` : 'unknown device'));
    rows.push(row(`Latency (${l.mode}, ${l.device}, S = ${l.seqLen})`, cells, ms(l.ms)));
  }
  rows.push(row('Entropy H (nats)', columns.map(([, e]) => e.entropy.toFixed(2)), ''));
  rows.push(row('ρ = layers / min width', columns.map(([, e]) => `${e.rho.toPrecision(3)}${pct(e.margins.rho)}`), `β = ${c.entropy.beta}`));
  return rows;
}
