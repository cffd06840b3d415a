/**
 * Checks the schema cannot express: contradictions, infeasible or non-binding budgets, unknown
 * devices, an `arch` over budget (docs/merino-format.md lists every code). Work is bounded by the
 * schema's limits (≤ 64 heads × ≤ 1024 head dimensions, ≤ 64 blocks), well under a millisecond.
 */
import { type Arch, headDim } from '../merino/architecture';
import { deviceNames, findDevice } from '../merino/device-profile';
import { type ArchEstimate, type DesignContext, estimateArch } from '../merino/estimate';
import { effectiveness } from '../merino/entropy-model';
import { headOptions, outsideSpace, spaceExtremes } from '../merino/search-space';
import type { JsonPath, MerinoDiagnostic, Severity } from './diagnostic';
import type { BudgetKey, MerinoConfig } from './merino-config';
import { nearestMultiple, nearestName } from './nearest';
import type { Section } from './normalize';
import { formatQuantity } from './quantity';

/** A budget is "not binding" when the largest architecture uses less than this share of it. */
export const NOT_BINDING_SHARE = 0.5;

type Emit = (path: JsonPath, severity: Severity, code: string, message: string, data?: unknown) => void;

function checkRanges(c: MerinoConfig, emit: Emit): void {
  const s = c.searchSpace;
  for (const key of ['blocks', 'layersPerBlock', 'width', 'headDim'] as const) {
    const r = s[key];
    if (r.min > r.max) emit(['searchSpace', key], 'error', 'range-inverted', `searchSpace.${key}: min ${r.min} is greater than max ${r.max}.`, { min: r.max, max: r.min });
  }
  const w = s.width;
  for (const end of ['min', 'max'] as const) {
    if (w[end] % w.multiple !== 0) {
      emit(['searchSpace', 'width', end], 'warning', 'width-not-multiple', `width.${end} ${w[end]} is not a multiple of width.multiple ${w.multiple}; the search uses multiples inside the range only.`, { replace: nearestMultiple(w[end], w.multiple) });
    }
  }
  if (w.min > w.max || s.headDim.min > s.headDim.max) return;
  const options = headOptions(s);
  for (const [i, h] of s.heads.entries()) {
    if (options.has(h)) continue;
    emit(['searchSpace', 'heads', i], 'warning', 'heads-no-width', `${h} heads: no width in [${w.min}, ${w.max}] is a multiple of ${w.multiple} with a head dimension in [${s.headDim.min}, ${s.headDim.max}] (multiple of ${s.headDim.multiple}).`, { remove: h });
  }
}

/** Learned position tables have `context` rows: no sequence can be longer. */
function checkSequenceLengths(c: MerinoConfig, emit: Emit): void {
  const { context, positions } = c.model;
  const lengths: [string[], number][] = [[['budget', 'flopsSeqLen'], c.budget.flopsSeqLen]];
  if (c.budget.latency) lengths.push([['budget', 'latency', 'seqLen'], c.budget.latency.seqLen]);
  for (const [path, n] of lengths) {
    if (n <= context) continue;
    const severity = positions === 'learned' ? 'error' : 'warning';
    emit(path, severity, 'seqlen-over-context', `${path.join('.')} ${n} is longer than model.context ${context}${positions === 'learned' ? ' (the learned position table has no row for it)' : ''}.`, { replace: context });
  }
}

function budgetValue(e: ArchEstimate, key: BudgetKey): number {
  return key === 'params' ? e.params : key === 'flops' ? e.flops : e.latency!.ms;
}

function budgetLimit(c: MerinoConfig, key: BudgetKey): number {
  return key === 'latency' ? c.budget.latency!.ms : c.budget[key]!;
}

const fmt = (key: BudgetKey, v: number): string => (key === 'latency' ? `${Number(v.toPrecision(4))} ms` : formatQuantity(v));
const NOUN: Record<BudgetKey, string> = { params: 'parameters', flops: 'FLOPs', latency: 'latency' };

function checkFeasibility(c: MerinoConfig, ctx: DesignContext, keys: BudgetKey[], emit: Emit): void {
  const ext = spaceExtremes(c.searchSpace);
  if (!ext) {
    emit(['searchSpace', 'heads'], 'error', 'search-space-empty', 'No head count of the search space has a valid width: widen width or headDim, or change heads.');
    return;
  }
  const small = estimateArch(ext.smallest, ctx);
  const large = estimateArch(ext.largest, ctx);
  for (const key of keys) {
    const limit = budgetLimit(c, key);
    const lo = budgetValue(small, key);
    const hi = budgetValue(large, key);
    if (lo > limit) {
      emit(['budget', key], 'error', 'budget-infeasible', `Infeasible: the smallest architecture of the search space needs ${fmt(key, lo)} ${NOUN[key]}, over the budget ${fmt(key, limit)} by ${fmt(key, lo - limit)} (${((lo / limit - 1) * 100).toFixed(1)}%).`, { budget: key, smallest: lo, limit });
    } else if (hi < NOT_BINDING_SHARE * limit) {
      emit(['budget', key], 'warning', 'budget-not-binding', `Not binding: the largest architecture of the search space needs only ${fmt(key, hi)} ${NOUN[key]} (${((hi / limit) * 100).toFixed(1)}% of ${fmt(key, limit)}); widen the search space or lower the budget.`, { budget: key, largest: hi, limit });
    }
  }
  const s = c.searchSpace;
  const bestRho = (s.blocks.min * s.layersPerBlock.min) / ext.largest.blocks[0].width;
  if (bestRho > c.entropy.beta) {
    emit(['entropy', 'beta'], 'error', 'beta-infeasible', `No depth satisfies β = ${c.entropy.beta}: even ${s.blocks.min * s.layersPerBlock.min} layers at width ${ext.largest.blocks[0].width} give ρ = ${bestRho.toPrecision(3)}.`, { replace: bestRho });
  }
}

function checkArch(arch: Arch, c: MerinoConfig, ctx: DesignContext, keys: BudgetKey[], rangesInverted: boolean, emit: Emit): void {
  for (const [i, b] of arch.blocks.entries()) {
    if (b.width % b.heads !== 0) {
      const fix = nearestMultiple(b.width, b.heads);
      emit(['arch', 'blocks', i, 'width'], 'error', 'arch-width-heads', `Width ${b.width} does not divide by ${b.heads} heads; nearest valid width: ${fix}.`, { replace: fix });
    } else if (headDim(b) < c.searchSpace.headDim.min || headDim(b) > c.searchSpace.headDim.max) {
      emit(['arch', 'blocks', i, 'heads'], 'warning', 'arch-head-dim', `Head dimension ${headDim(b)} is outside searchSpace.headDim [${c.searchSpace.headDim.min}, ${c.searchSpace.headDim.max}].`);
    }
  }
  const e = estimateArch(arch, ctx);
  for (const key of keys) {
    const v = budgetValue(e, key);
    const limit = budgetLimit(c, key);
    if (v > limit) emit(['arch'], 'error', 'arch-over-budget', `arch needs ${fmt(key, v)} ${NOUN[key]}, over the budget ${fmt(key, limit)} by ${fmt(key, v - limit)}.`, { budget: key, value: v, limit });
  }
  const rho = effectiveness(arch);
  if (rho > c.entropy.beta) emit(['arch'], 'warning', 'arch-rho', `arch has ρ = ${rho.toPrecision(3)} (layers / smallest width), above β = ${c.entropy.beta}: the search would reject it as too deep for its width.`, { rho, beta: c.entropy.beta });
  const why = arch.blocks.every((b) => b.width % b.heads === 0) && !rangesInverted && outsideSpace(arch, c.searchSpace);
  if (why) emit(['arch'], 'info', 'arch-outside-space', `arch is outside the search space: ${why}.`);
}

/** Semantic diagnostics of a normalized config; sections in `invalid` are skipped where they matter. */
export function semanticChecks(c: MerinoConfig, invalid: ReadonlySet<Section>): MerinoDiagnostic[] {
  const out: MerinoDiagnostic[] = [];
  const emit: Emit = (path, severity, code, message, data) => out.push({ path, severity, code, message, ...(data === undefined ? {} : { data }) });
  const lb = c.budget.latency;
  let latencyOk = lb !== undefined;
  if (lb && !findDevice(lb.device, c.devices)) {
    const names = deviceNames(c.devices);
    const suggestion = nearestName(lb.device, names);
    emit(['budget', 'latency', 'device'], 'error', 'unknown-device', `Unknown device "${lb.device}"${suggestion ? `; did you mean "${suggestion}"?` : '.'} Known: ${names.join(', ')}.`, { suggestion, known: names });
    latencyOk = false;
  }
  if (!invalid.has('searchSpace')) checkRanges(c, emit);
  if (!invalid.has('budget') && !invalid.has('model')) checkSequenceLengths(c, emit);
  const keys = (['params', 'flops', 'latency'] as const).filter((k) => (k === 'latency' ? latencyOk : c.budget[k] !== undefined));
  if (!keys.length && !lb && !invalid.has('budget') && !c.arch) emit([], 'info', 'no-budget', 'No budget: the search is limited by the search space only.');
  const ctx: DesignContext = { model: c.model, budget: c.budget, entropy: c.entropy, devices: c.devices };
  const usable = !invalid.has('model') && !invalid.has('budget') && !invalid.has('devices') && !invalid.has('entropy');
  const inverted = out.some((d) => d.code === 'range-inverted');
  if (usable && !invalid.has('searchSpace') && !inverted) checkFeasibility(c, ctx, keys, emit);
  if (usable && c.arch && !invalid.has('arch')) checkArch(c.arch, c, ctx, keys, inverted || invalid.has('searchSpace'), emit);
  return out;
}

