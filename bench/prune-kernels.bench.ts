// Pruning kernels on GPT-2-small layer shapes (12 blocks × c_attn 768×2304, c_proj 768×768,
// c_fc 768×3072, mlp c_proj 3072×768; K×N, stored [K,N]) with seeded random scores and statistics:
// scoring, N:M and unstructured masks, one retained-score pass, the global and local channel
// shuffles, and `shuffleChannels` with `both` (the stages and their retained-score passes together,
// as the pipeline runs them). Each of the 4 shapes gets one seeded matrix that every block reuses
// (generating 48 random matrices would dominate the bench).
// Prints and returns the median of 3 runs of wall and CPU milliseconds summed over the 48 layers
// (CPU time is the steadier figure on a shared machine), and the shuffles alone on K = 11008.
import { applyMask } from '../src/core/prune/apply-mask';
import { shuffleChannels } from '../src/core/prune/channel-shuffle';
import { globalShuffle } from '../src/core/prune/global-shuffle';
import { localShuffle } from '../src/core/prune/local-shuffle';
import { nmMask } from '../src/core/prune/nm-mask';
import { PatternPruner } from '../src/core/prune/nm-kernel';
import { retainedScore } from '../src/core/prune/retained-score';
import { esparseScores, magnitudeScores, wandaScores } from '../src/core/prune/scores';
import { unstructuredMask } from '../src/core/prune/unstructured-mask';
import type { WeightMatrix } from '../src/core/prune/weight-matrix';
import type { ChannelStats } from '../src/core/stats/channel-stats';
import { randomChannelStats, randomMatrix, randomScores } from '../test/core/prune/random-matrix';

const SHAPES: [number, number][] = [[768, 2304], [768, 768], [768, 3072], [3072, 768]];
const BLOCKS = 12;
const RUNS = 3;
const PATTERN = { n: 2, m: 4 };

type Timings = Record<string, { wall: number; cpu: number }>;

function timed<T>(timings: Timings, stage: string, work: () => T): T {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = work();
  const used = process.cpuUsage(cpu);
  const t = (timings[stage] ??= { wall: 0, cpu: 0 });
  t.wall += performance.now() - started;
  t.cpu += (used.user + used.system) / 1000;
  return result;
}

interface Layer {
  weight: WeightMatrix;
  stats: ChannelStats;
  /** Scores with per-channel importance, as real scores have (the shuffles' input). */
  shaped: WeightMatrix[];
}

function makeLayers(): Layer[] {
  return SHAPES.map(([K, N], seed) => ({
    weight: randomMatrix(K, N, 'KN', seed),
    stats: randomChannelStats(K, 4, 16, 256, seed),
    shaped: [randomScores(K, N, 'KN', seed)],
  }));
}

function runOnce(layers: Layer[]): { timings: Timings; gains: { global: number; local: number; swaps: number } } {
  const timings: Timings = {};
  const pruner = new PatternPruner(PATTERN);
  const gains = { global: 0, local: 0, swaps: 0 };
  let before = 0;
  for (let block = 0; block < BLOCKS; block++) {
    for (const { weight, stats, shaped } of layers) {
      timed(timings, 'magnitude scores', () => magnitudeScores(weight));
      timed(timings, 'wanda scores', () => wandaScores(weight, stats));
      const scores: WeightMatrix = { ...weight, data: timed(timings, 'esparse scores', () => esparseScores(weight, stats, 1)) };
      const mask = timed(timings, '2:4 mask', () => nmMask(scores, PATTERN));
      if (mask.kind === 'nm') timed(timings, 'apply mask', () => applyMask(weight.data.slice(), mask.mask));
      const copy = { ...weight, data: weight.data.slice() };
      timed(timings, '2:4 mask + apply + zeros (SIMD PatternPruner)', () => pruner.run(copy, scores));
      timed(timings, 'unstructured 50%', () => unstructuredMask(scores, 0.5));
      const r0 = timed(timings, 'retained score', () => retainedScore(shaped, PATTERN).retained);
      const global = timed(timings, 'global shuffle', () => globalShuffle(shaped, PATTERN));
      const local = timed(timings, 'local shuffle', () => localShuffle(shaped, PATTERN, global));
      timed(timings, 'shuffle both (all)', () => shuffleChannels(shaped, PATTERN, { mode: 'both' }));
      const rGlobal = retainedScore(shaped, PATTERN, global).retained;
      const rLocal = retainedScore(shaped, PATTERN, local.perm).retained;
      before += r0;
      gains.global += rGlobal - r0;
      gains.local += rLocal - rGlobal;
      gains.swaps += local.swaps;
    }
  }
  gains.global /= before;
  gains.local /= before;
  return { timings, gains };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function run(): Promise<object> {
  const layers = makeLayers();
  const runs = Array.from({ length: RUNS }, () => runOnce(layers));
  const stages = Object.keys(runs[0].timings);
  const figure = (s: string, kind: 'wall' | 'cpu') => Math.round(median(runs.map((r) => r.timings[s][kind])));
  const ms = Object.fromEntries(stages.map((s) => [s, { wall: figure(s, 'wall'), cpu: figure(s, 'cpu') }]));
  console.log(`GPT-2 small shapes, ${BLOCKS} blocks × ${SHAPES.length} layers, median of ${RUNS} (ms summed over layers, wall / cpu):`);
  for (const s of stages) console.log(`  ${s.padEnd(20)} ${String(ms[s].wall).padStart(7)} / ${String(ms[s].cpu).padStart(7)}`);
  const { gains } = runs[0];
  console.log(`  R gain: global +${(100 * gains.global).toFixed(2)}%, local +${(100 * gains.local).toFixed(2)}% (${gains.swaps} swaps)`);

  const largeK = [randomScores(11008, 768, 'NK', 99)];
  const large: Timings = {};
  const global = timed(large, 'global', () => globalShuffle(largeK, PATTERN));
  const local = timed(large, 'local', () => localShuffle(largeK, PATTERN, global));
  const round = (t: { wall: number; cpu: number }) => ({ wall: Math.round(t.wall), cpu: Math.round(t.cpu) });
  console.log(`  K=11008 N=768 (stored [N,K]): global ${round(large.global).wall} ms, local ${round(large.local).wall} ms wall / ${round(large.local).cpu} ms cpu (${local.swaps} swaps)`);
  return { ms, gains, k11008n768: { global: round(large.global), local: round(large.local), swaps: local.swaps } };
}
