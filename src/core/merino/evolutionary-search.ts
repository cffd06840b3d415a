/**
 * MeRino's search (ALGORITHMS.md §4): maximise entropy subject to every budget, ρ ≤ β and the
 * search space. Evolutionary, after TinyNAS/DeepMAD: a population of the best feasible
 * architectures seen, each iteration mutates one member chosen at random; a feasible,
 * not-yet-present child replaces the worst member when it is better. Deterministic for a seed
 * (the only randomness is the seeded Rng; yielding to the event loop does not change the order).
 */
import type { MerinoConfig } from '../config/merino-config';
import { UserError, throwIfAborted } from '../errors';
import type { JobOptions } from '../progress';
import { type Arch, archKey, shapeKey } from './architecture';
import { type ArchEstimate, type DesignContext, estimateArch } from './estimate';
import { type EntropyModel, stackedChannelEntropy } from './entropy-model';
import { SpaceMoves } from './mutation';
import { ParetoFront } from './pareto';
import { Rng } from './rng';
import { spaceExtremes } from './search-space';

export interface Candidate {
  arch: Arch;
  /** shapeKey: the population holds one head variant of each shape. */
  key: string;
  estimate: ArchEstimate;
}

export interface SearchOptions extends JobOptions {
  /** Overrides config.search.seed. */
  seed?: number;
  entropyModel?: EntropyModel;
}

export interface SearchOutcome {
  /** The best feasible architectures, highest entropy first (config.search.topK of them). */
  top: Candidate[];
  /** Non-dominated feasible architectures seen, in (entropy, params, FLOPs, latency). */
  pareto: Candidate[];
  seed: number;
  iterations: number;
  /** Distinct architectures evaluated (feasible or not). */
  evaluated: number;
  stoppedEarly: boolean;
  elapsedMs: number;
  entropyModel: string;
}

/** Higher entropy first; ties go to fewer params, then FLOPs, then latency. */
export function compareCandidates(a: ArchEstimate, b: ArchEstimate): number {
  return b.entropy - a.entropy || a.params - b.params || a.flops - b.flops || (a.latency?.ms ?? 0) - (b.latency?.ms ?? 0);
}

/** Iterations between progress reports and event-loop yields. */
const CHUNK = 2000;

class Population {
  readonly members: Candidate[] = [];
  private readonly keys = new Set<string>();
  constructor(private readonly size: number) {}

  /** Inserts when not present and better than the worst (or not full); true when it changed. */
  offer(c: Candidate): boolean {
    if (this.keys.has(c.key)) return false;
    const full = this.members.length >= this.size;
    if (full && compareCandidates(c.estimate, this.members[this.members.length - 1].estimate) >= 0) return false;
    let lo = 0;
    let hi = this.members.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareCandidates(this.members[mid].estimate, c.estimate) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.members.splice(lo, 0, c);
    this.keys.add(c.key);
    if (full) this.keys.delete(this.members.pop()!.key);
    return true;
  }
}

/** Runs the search of a validated design; yields to the event loop so `signal` can fire. */
export async function searchArchitectures(config: MerinoConfig, opts: SearchOptions = {}): Promise<SearchOutcome> {
  const started = performance.now();
  const seed = opts.seed ?? config.search.seed;
  const entropyModel = opts.entropyModel ?? stackedChannelEntropy(config.entropy.weights);
  const ctx: DesignContext = { model: config.model, budget: config.budget, entropy: config.entropy, devices: config.devices, entropyModel };
  const moves = new SpaceMoves(config.searchSpace);
  const ext = spaceExtremes(config.searchSpace);
  if (!ext || moves.heads.length === 0) throw new UserError(`${config.name}: the search space holds no architecture`, 'run merino check on the file');
  const rng = new Rng(seed);
  const population = new Population(config.search.population);
  const pareto = new ParetoFront<Candidate>();
  const seen = new Set<string>();
  const evaluate = (arch: Arch): Candidate | undefined => {
    const full = archKey(arch);
    if (seen.has(full)) return undefined;
    seen.add(full);
    const estimate = estimateArch(arch, ctx);
    if (!estimate.feasible) return undefined;
    const c = { arch, key: shapeKey(arch), estimate };
    pareto.add(c);
    return c;
  };
  const offer = (arch: Arch): boolean => {
    const c = evaluate(arch);
    return c !== undefined && population.offer(c);
  };
  offer(ext.smallest);
  for (let i = 0; i < config.search.population * 20 && population.members.length < config.search.population; i++) offer(moves.randomArch(rng));
  if (population.members.length === 0) {
    throw new UserError(`${config.name}: no architecture of the search space meets every budget and β`, 'run merino check to see which budget is infeasible');
  }
  const { iterations, patience } = config.search;
  let sinceChange = 0;
  let it = 0;
  while (it < iterations && sinceChange < patience) {
    const end = Math.min(iterations, it + CHUNK);
    for (; it < end && sinceChange < patience; it++) {
      const parent = rng.pick(population.members);
      sinceChange = offer(moves.mutate(parent.arch, rng)) ? 0 : sinceChange + 1;
    }
    opts.onProgress?.({ stage: 'search', done: it, total: iterations, detail: `best H=${population.members[0].estimate.entropy.toFixed(2)}` });
    await new Promise<void>((r) => setImmediate(r));
    throwIfAborted(opts.signal);
  }
  const stoppedEarly = it < iterations;
  if (stoppedEarly) opts.onProgress?.({ stage: 'search', done: iterations, total: iterations, detail: `converged after ${it} iterations` });
  return {
    top: population.members.slice(0, config.search.topK),
    pareto: pareto.members(),
    seed,
    iterations: it,
    evaluated: seen.size,
    stoppedEarly,
    elapsedMs: performance.now() - started,
    entropyModel: entropyModel.name,
  };
}
