// The calibration statistics kernels (src/core/stats/stats-kernels.ts) on GPT-2-small activation
// shapes: K = 768 and 3072 channels, 512 rows (one window of 512 tokens) per call, 16 calls (windows),
// 256 bins, seeded activations shaped like real ones (mostly near 0 with a few wide channels).
// Prints and returns the median of 5 repetitions, in CPU ns per value (user + system: steadier than
// wall time on the shared 2-core VM), of `reduce` and `count`.
// Before/after in one run: put an earlier version of the kernels beside this one, e.g.
//   git show a729d2e:src/core/stats/stats-kernels.ts > src/core/stats/stats-kernels-baseline.ts
// (an untracked file; delete it afterwards) and this bench times both, interleaved.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createChannelStats } from '../src/core/stats/channel-stats';
import { binScales, startHistogram } from '../src/core/stats/histogram';
import { StatsKernels } from '../src/core/stats/stats-kernels';

const SHAPES = [768, 3072];
const ROWS = 512;
const WINDOWS = 16;
const BINS = 256;
const REPS = 5;
const BASELINE = join(__dirname, '../src/core/stats/stats-kernels-baseline.ts');

type Kernels = Pick<StatsKernels, 'input' | 'reduce' | 'count'>;

/** Seeded activations: a standard-normal-ish body times a per-channel width, 1 channel in 64 wide. */
function activations(K: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const uniform = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const width = Float32Array.from({ length: K }, (_, k) => (k % 64 === 5 ? 40 : 0.5 + uniform()));
  return Float32Array.from({ length: ROWS * K }, (_, i) => (uniform() + uniform() + uniform() - 1.5) * 2 * width[i % K]!);
}

/** CPU milliseconds of `work`. */
function cpuMs(work: () => void): number {
  const started = process.cpuUsage();
  work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/** CPU ns per value of `reduce` and `count` over WINDOWS calls of the same window. */
function timeOnce(kernels: Kernels, data: Float32Array, K: number): { reduce: number; count: number } {
  kernels.input(data.length, K, BINS).set(data);
  const stats = createChannelStats(K, BINS);
  const reduce = cpuMs(() => {
    for (let w = 0; w < WINDOWS; w++) kernels.reduce(stats, data.length);
  });
  startHistogram(stats);
  const scales = binScales(stats);
  const count = cpuMs(() => {
    for (let w = 0; w < WINDOWS; w++) kernels.count(stats, scales, data.length);
  });
  const perValue = 1e6 / (WINDOWS * data.length);
  return { reduce: reduce * perValue, count: count * perValue };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function run(): Promise<object> {
  const versions: [string, Kernels][] = [['current', new StatsKernels()]];
  if (existsSync(BASELINE)) {
    const mod = (await import(pathToFileURL(BASELINE).href)) as { StatsKernels: new () => Kernels };
    versions.unshift(['baseline', new mod.StatsKernels()]);
  }
  const results: Record<string, Record<string, { reduce: number; count: number }>> = {};
  for (const K of SHAPES) {
    const data = activations(K, K);
    const runs = new Map<string, { reduce: number; count: number }[]>(versions.map(([name]) => [name, []]));
    for (const [, kernels] of versions) timeOnce(kernels, data, K); // warm-up: V8 tiers the kernels up
    for (let rep = 0; rep < REPS; rep++) for (const [name, kernels] of versions) runs.get(name)!.push(timeOnce(kernels, data, K));
    for (const [name, times] of runs) {
      const figures = { reduce: median(times.map((t) => t.reduce)), count: median(times.map((t) => t.count)) };
      (results[`K=${K}`] ??= {})[name] = figures;
      console.log(`K=${K} ${name.padEnd(8)} reduce ${figures.reduce.toFixed(2)} ns/value, count ${figures.count.toFixed(2)} ns/value`);
    }
  }
  return results;
}
