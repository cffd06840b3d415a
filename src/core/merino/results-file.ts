/**
 * `NAME.merino.results.json`: what a search found, with everything an export needs (the model
 * settings and each architecture), the config hash, the seed and the time taken.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Budget, MerinoConfig } from '../config/merino-config';
import { normalizeConfig } from '../config/normalize';
import { UserError } from '../errors';
import { VERSION } from '../version';
import { type Arch, type ModelSpec, ffnRatio } from './architecture';
import type { Candidate, SearchOutcome } from './evolutionary-search';
import { type DeviceProfile, findDevice } from './device-profile';
import type { ArchEstimate } from './estimate';

export interface ResultEntry extends Omit<ArchEstimate, 'violations' | 'feasible'> {
  rank: number;
  arch: { blocks: (Arch['blocks'][number] & { ffnRatio: number })[] };
  /** The ONNX skeleton timed with onnxruntime on the machine that ran the search (`--measure K`). */
  measured?: { seqLen: number; prefillMs: number; decodeMs?: number; runs: number; machine: string };
}

export interface ResultsFile {
  format: 'merino-results';
  formatVersion: 1;
  tool: string;
  name: string;
  configFile?: string;
  /** sha256 of the normalized design (defaults applied), so equal designs hash equal. */
  configHash: string;
  seed: number;
  createdAt: string;
  elapsedMs: number;
  iterations: number;
  evaluated: number;
  stoppedEarly: boolean;
  entropyModel: string;
  model: ModelSpec;
  budget: Budget;
  /** The profile the latency budget names (preset or user-defined), as used. */
  latencyDevice?: DeviceProfile & { name: string };
  beta: number;
  top: ResultEntry[];
  /** Entropy against params / FLOPs / latency: no entry is better in all four. */
  pareto: ResultEntry[];
}

export function configHash(config: MerinoConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

function entry(c: Candidate, rank: number): ResultEntry {
  const { violations: _v, feasible: _f, ...figures } = c.estimate;
  return { rank, arch: { blocks: c.arch.blocks.map((b) => ({ ...b, ffnRatio: Number(ffnRatio(b).toFixed(6)) })) }, ...figures };
}

function latencyDevice(config: MerinoConfig): ResultsFile['latencyDevice'] {
  const name = config.budget.latency?.device;
  const profile = name === undefined ? undefined : findDevice(name, config.devices);
  return profile && { name: name!, ...profile };
}

export function buildResults(config: MerinoConfig, outcome: SearchOutcome, configFile?: string): ResultsFile {
  return {
    format: 'merino-results',
    formatVersion: 1,
    tool: `merino ${VERSION}`,
    name: config.name,
    configFile,
    configHash: configHash(config),
    seed: outcome.seed,
    createdAt: new Date().toISOString(),
    elapsedMs: Math.round(outcome.elapsedMs),
    iterations: outcome.iterations,
    evaluated: outcome.evaluated,
    stoppedEarly: outcome.stoppedEarly,
    entropyModel: outcome.entropyModel,
    model: config.model,
    budget: config.budget,
    latencyDevice: latencyDevice(config),
    beta: config.entropy.beta,
    top: outcome.top.map((c, i) => entry(c, i + 1)),
    pareto: outcome.pareto.map((c, i) => entry(c, i + 1)),
  };
}

export async function readResults(path: string): Promise<ResultsFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : `not a JSON file (${(e as Error).message})`}`, 'give a NAME.merino.results.json written by merino search');
  }
  const r = raw as Partial<ResultsFile>;
  if (r?.format !== 'merino-results' || !Array.isArray(r.top) || !r.model) {
    throw new UserError(`${path}: not a MeRino results file`, 'give a NAME.merino.results.json written by merino search');
  }
  return r as ResultsFile;
}

/** The architecture of rank `rank` (1-based) of the top list, checked like a design file's arch. */
export function resultAt(results: ResultsFile, rank: number, path: string): ResultEntry {
  const e = results.top.find((t) => t?.rank === rank);
  if (!e) throw new UserError(`${path}: no result of rank ${rank}`, `choose --rank between 1 and ${results.top.length}`);
  const { invalid } = normalizeConfig({ model: results.model, arch: e.arch });
  if (invalid.size) throw new UserError(`${path}: result ${rank} has an invalid ${[...invalid].join(' and ')}`, 'rerun merino search to rewrite the file');
  return e;
}

export const entryArch = (e: ResultEntry): Arch => ({ blocks: e.arch.blocks.map(({ layers, width, heads, ffnDim, shared }) => ({ layers, width, heads, ffnDim, shared })) });
