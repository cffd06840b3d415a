// Seeded (mulberry32, src/core/calib/prng) random weights, scores and channel statistics for the pruning tests and benchmarks.
import { createPrng } from '../../../src/core/calib/prng';
import type { ChannelStats } from '../../../src/core/stats/channel-stats';
import type { WeightLayout, WeightMatrix } from '../../../src/core/prune/weight-matrix';

/** Standard normal samples (Box–Muller). */
export function normalSampler(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A K×N matrix of standard normal values in the given layout. */
export function randomMatrix(K: number, N: number, layout: WeightLayout, seed: number): WeightMatrix {
  const normal = normalSampler(createPrng(seed));
  const data = new Float32Array(K * N);
  for (let i = 0; i < data.length; i++) data[i] = normal();
  return { data, K, N, layout };
}

/**
 * Scores shaped like real ones: |normal| times a per-channel log-normal scale (a few outlier
 * channels), so channels differ in importance as activations make them.
 */
export function randomScores(K: number, N: number, layout: WeightLayout, seed: number): WeightMatrix {
  const random = createPrng(seed);
  const normal = normalSampler(random);
  const scale = Float64Array.from({ length: K }, () => Math.exp(0.75 * normal()));
  const m = { data: new Float32Array(K * N), K, N, layout };
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) m.data[layout === 'KN' ? k * N + n : n * K + k] = Math.abs(normal()) * scale[k];
  }
  return m;
}

/**
 * Statistics of T = sequences × tokensPerSequence random activations per channel (channel k
 * drawn from a normal with a random scale, some channels constant), with exact histograms.
 */
export function randomChannelStats(K: number, sequences: number, tokensPerSequence: number, bins: number, seed: number): ChannelStats {
  const random = createPrng(seed);
  const normal = normalSampler(random);
  const T = sequences * tokensPerSequence;
  const stats: ChannelStats = {
    count: T,
    sequences,
    sumSquares: new Float64Array(K),
    min: new Float64Array(K),
    max: new Float64Array(K),
    histogram: new Uint32Array(K * bins),
    bins,
  };
  const x = new Float64Array(T);
  for (let k = 0; k < K; k++) {
    const scale = Math.exp(normal());
    const constant = k % 7 === 3;
    for (let t = 0; t < T; t++) x[t] = constant ? 0.5 : scale * (random() < 0.8 ? normal() : 4 * normal());
    addChannel(stats, k, x);
  }
  return stats;
}

/** Fills channel k of `stats` from its T values (exact min/max, then the histogram). */
export function addChannel(stats: ChannelStats, k: number, x: Float64Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  let sq = 0;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    sq += v * v;
  }
  stats.sumSquares[k] = sq;
  stats.min[k] = lo;
  stats.max[k] = hi;
  const bins = stats.bins;
  for (const v of x) {
    const b = hi > lo ? Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins)) : 0;
    stats.histogram![k * bins + b]++;
  }
}
