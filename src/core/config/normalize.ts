/**
 * Turns a parsed design file (any JSON value) into a MerinoConfig with defaults applied.
 * Never throws: a value of the wrong type or out of range falls back to its default and marks
 * its top-level section unusable (the schema check reports why), so semantic checks can skip it.
 */
import type { Arch, Block, MlpKind, NormKind, PositionKind } from '../merino/architecture';
import type { DeviceProfile, MeasuredPoint } from '../merino/device-profile';
import {
  DEFAULT_BYTES_PER_ELEMENT, DEFAULT_ENTROPY, DEFAULT_FFN_RATIO, DEFAULT_LATENCY_MODE, DEFAULT_MODEL, DEFAULT_SEARCH, DEFAULT_SEARCH_SPACE,
} from './defaults';
import type { MerinoDiagnostic } from './diagnostic';
import type { Budget, IntRange, LatencyBudget, LatencyMode, MerinoConfig, SearchSpace, StepRange } from './merino-config';
import { MAX_QUANTITY, parseQuantity } from './quantity';

export type Section = 'model' | 'budget' | 'searchSpace' | 'entropy' | 'search' | 'devices' | 'arch';

export interface Normalized {
  config: MerinoConfig;
  /** Sections holding a value that could not be used. */
  invalid: Set<Section>;
  /** Problems the schema cannot express (quantity strings out of range). */
  problems: MerinoDiagnostic[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  readonly invalid = new Set<Section>();
  readonly problems: MerinoDiagnostic[] = [];
  constructor(private readonly section: Section) {}

  markInvalid(): void {
    this.invalid.add(this.section);
  }

  obj(v: unknown): Obj {
    if (v === undefined) return {};
    if (isObj(v)) return v;
    this.markInvalid();
    return {};
  }

  int(v: unknown, def: number, min: number, max: number): number {
    if (v === undefined) return def;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    this.markInvalid();
    return def;
  }

  num(v: unknown, def: number, ok: (n: number) => boolean): number {
    if (v === undefined) return def;
    if (typeof v === 'number' && Number.isFinite(v) && ok(v)) return v;
    this.markInvalid();
    return def;
  }

  bool(v: unknown, def: boolean): boolean {
    if (v === undefined) return def;
    if (typeof v === 'boolean') return v;
    this.markInvalid();
    return def;
  }

  pick<T extends string | number>(v: unknown, def: T, allowed: readonly T[]): T {
    if (v === undefined) return def;
    if (allowed.includes(v as T)) return v as T;
    this.markInvalid();
    return def;
  }

  quantity(v: unknown, path: (string | number)[]): number | undefined {
    if (v === undefined) return undefined;
    const q = parseQuantity(v);
    if (q === undefined) {
      this.markInvalid();
      if (typeof v === 'string' && /^[0-9.eE+\s]+[kKMGBTP]?$/.test(v.trim())) {
        this.problems.push({ path, severity: 'error', code: 'quantity-range', message: `"${v}" is not a positive quantity of at most ${MAX_QUANTITY.toExponential()}.` });
      }
    }
    return q;
  }

  intList(v: unknown, def: readonly number[], ok: (n: number) => boolean, maxItems = 64): number[] {
    if (v === undefined) return [...def];
    if (!Array.isArray(v) || v.length === 0 || v.length > maxItems || !v.every((x) => typeof x === 'number' && ok(x))) {
      this.markInvalid();
      return [...def];
    }
    return [...new Set(v as number[])];
  }
}

const MAX_SEQ = 1048576;

function readModel(r: Reader, raw: unknown) {
  const m = r.obj(raw);
  const d = DEFAULT_MODEL;
  return {
    vocabSize: r.int(m.vocabSize, d.vocabSize, 2, 1e7),
    context: r.int(m.context, d.context, 1, MAX_SEQ),
    tiedEmbeddings: r.bool(m.tiedEmbeddings, d.tiedEmbeddings),
    norm: r.pick<NormKind>(m.norm, d.norm, ['layernorm', 'rmsnorm']),
    mlp: r.pick<MlpKind>(m.mlp, d.mlp, ['gelu', 'relu', 'swiglu']),
    biases: r.bool(m.biases, d.biases),
    positions: r.pick<PositionKind>(m.positions, d.positions, ['learned', 'rope', 'none']),
    positionOffset: r.int(m.positionOffset, d.positionOffset, 0, 1024),
    finalNorm: r.bool(m.finalNorm, d.finalNorm),
  };
}

function readBudget(r: Reader, raw: unknown, context: number): Budget {
  const b = r.obj(raw);
  const budget: Budget = {
    params: r.quantity(b.params, ['budget', 'params']),
    flops: r.quantity(b.flops, ['budget', 'flops']),
    flopsSeqLen: r.int(b.flopsSeqLen, context, 1, MAX_SEQ),
  };
  if (b.latency !== undefined) {
    const l = r.obj(b.latency);
    const latency: LatencyBudget = {
      device: typeof l.device === 'string' ? l.device : '',
      ms: r.num(l.ms, NaN, (n) => n > 0 && n <= 1e9),
      mode: r.pick<LatencyMode>(l.mode, DEFAULT_LATENCY_MODE, ['prefill', 'decode']),
      seqLen: r.int(l.seqLen, context, 1, MAX_SEQ),
    };
    if (latency.device && Number.isFinite(latency.ms)) budget.latency = latency;
    else r.markInvalid();
  }
  return budget;
}

function readRange(r: Reader, raw: unknown, def: IntRange, max: number): IntRange {
  const o = r.obj(raw);
  return { min: r.int(o.min, def.min, 1, max), max: r.int(o.max, def.max, 1, max) };
}

function readStepRange(r: Reader, raw: unknown, def: StepRange, max: number): StepRange {
  const o = r.obj(raw);
  return { ...readRange(r, raw, def, max), multiple: r.int(o.multiple, def.multiple, 1, max) };
}

function readSearchSpace(r: Reader, raw: unknown): SearchSpace {
  const s = r.obj(raw);
  const d = DEFAULT_SEARCH_SPACE;
  return {
    blocks: readRange(r, s.blocks, d.blocks, 64),
    layersPerBlock: readRange(r, s.layersPerBlock, d.layersPerBlock, 256),
    width: readStepRange(r, s.width, d.width, 65536),
    headDim: readStepRange(r, s.headDim, d.headDim, 1024),
    heads: r.intList(s.heads, d.heads, (n) => Number.isInteger(n) && n >= 1 && n <= 1024).sort((a, b) => a - b),
    ffnRatios: r.intList(s.ffnRatios, d.ffnRatios, (n) => Number.isFinite(n) && n > 0 && n <= 64).sort((a, b) => a - b),
    sharing: r.bool(s.sharing, d.sharing),
  };
}

function readDevices(r: Reader, raw: unknown): Record<string, DeviceProfile> {
  const out: Record<string, DeviceProfile> = {};
  const entries = Object.entries(r.obj(raw));
  if (entries.length > 64) r.markInvalid();
  for (const [name, v] of entries.slice(0, 64)) {
    const o = r.obj(v);
    const peakFlops = r.quantity(o.peakFlops, ['devices', name, 'peakFlops']);
    const memBandwidth = r.quantity(o.memBandwidth, ['devices', name, 'memBandwidth']);
    const bytesPerElement = r.pick<number>(o.bytesPerElement, DEFAULT_BYTES_PER_ELEMENT, [1, 2, 4]);
    if (peakFlops === undefined || memBandwidth === undefined) {
      r.markInvalid();
      continue;
    }
    out[name] = { peakFlops, memBandwidth, bytesPerElement, description: typeof o.description === 'string' ? o.description : undefined, source: typeof o.source === 'string' ? o.source : undefined };
    if (o.measured !== undefined) out[name].measured = readMeasured(r, o.measured);
  }
  return out;
}

function readMeasured(r: Reader, raw: unknown): MeasuredPoint[] {
  if (!Array.isArray(raw) || raw.length > 64) {
    r.markInvalid();
    return [];
  }
  const ms = (v: unknown) => (v === undefined ? undefined : r.num(v, NaN, (n) => n > 0 && n <= 1e9));
  const points: MeasuredPoint[] = [];
  for (const item of raw) {
    const o = r.obj(item);
    const arch = readArch(r, o.arch);
    const point = { arch, seqLen: r.int(o.seqLen, NaN, 1, MAX_SEQ), prefillMs: ms(o.prefillMs), decodeMs: ms(o.decodeMs) };
    if (arch && Number.isFinite(point.seqLen) && [point.prefillMs, point.decodeMs].every((v) => v === undefined || Number.isFinite(v))) points.push({ ...point, arch });
    else r.markInvalid();
  }
  return points;
}

function readArch(r: Reader, raw: unknown): Arch | undefined {
  if (raw === undefined) return undefined;
  const blocks = r.obj(raw).blocks;
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 64) {
    r.markInvalid();
    return undefined;
  }
  const out: Block[] = blocks.map((raw) => {
    const b = r.obj(raw);
    const width = r.int(b.width, NaN, 1, 65536);
    const ratio = r.num(b.ffnRatio, DEFAULT_FFN_RATIO, (n) => n > 0 && n <= 64);
    return {
      layers: r.int(b.layers, NaN, 1, 1024),
      width,
      heads: r.int(b.heads, NaN, 1, 1024),
      ffnDim: b.ffnDim !== undefined ? r.int(b.ffnDim, NaN, 1, 4194304) : Math.max(1, Math.round(ratio * width)),
      shared: r.bool(b.shared, false),
    };
  });
  if (out.every((b) => Object.values(b).every((v) => typeof v === 'boolean' || Number.isFinite(v)))) return { blocks: out };
  r.markInvalid();
  return undefined;
}

export function normalizeConfig(raw: unknown, fallbackName = 'design'): Normalized {
  const readers = new Map<Section, Reader>();
  const reader = (s: Section): Reader => readers.get(s) ?? (readers.set(s, new Reader(s)), readers.get(s)!);
  const top = isObj(raw) ? raw : {};
  const model = readModel(reader('model'), top.model);
  const er = reader('entropy');
  const sr = reader('search');
  const e = er.obj(top.entropy);
  const s = sr.obj(top.search);
  const config: MerinoConfig = {
    name: typeof top.name === 'string' && top.name.trim() ? top.name.trim() : fallbackName,
    model,
    budget: readBudget(reader('budget'), top.budget, model.context),
    searchSpace: readSearchSpace(reader('searchSpace'), top.searchSpace),
    entropy: {
      weights: { attn: er.num(e.attnWeight, DEFAULT_ENTROPY.attnWeight, (n) => n >= 0 && n <= 100), ffn: er.num(e.ffnWeight, DEFAULT_ENTROPY.ffnWeight, (n) => n >= 0 && n <= 100) },
      beta: er.num(e.beta, DEFAULT_ENTROPY.beta, (n) => n > 0 && n <= 10),
    },
    search: {
      population: sr.int(s.population, DEFAULT_SEARCH.population, 2, 100000),
      iterations: sr.int(s.iterations, DEFAULT_SEARCH.iterations, 0, 1e8),
      patience: sr.int(s.patience, DEFAULT_SEARCH.patience, 1, 1e8),
      seed: sr.int(s.seed, DEFAULT_SEARCH.seed, 0, 4294967295),
      topK: sr.int(s.topK, DEFAULT_SEARCH.topK, 1, 1000),
    },
    devices: readDevices(reader('devices'), top.devices),
    arch: readArch(reader('arch'), top.arch),
  };
  const invalid = new Set<Section>();
  const problems: MerinoDiagnostic[] = [];
  for (const r of readers.values()) {
    r.invalid.forEach((x) => invalid.add(x));
    problems.push(...r.problems);
  }
  if (!isObj(raw)) invalid.add('model');
  return { config, invalid, problems };
}
