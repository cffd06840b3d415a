import { UserError } from '../errors';
import type { ChannelStats } from '../stats/channel-stats';

// The statistics contract is src/core/stats' ChannelStats (T = count, N_seq = sequences, Σx², exact
// min/max, K × bins histogram over [min_k, max_k] whose rows each sum to T); this file checks that
// what arrives fits a layer before the pruner uses it.
export type { ChannelStats } from '../stats/channel-stats';

/** Checks the statistics of a layer with K input channels; `name` identifies the layer. */
export function checkChannelStats(stats: ChannelStats, K: number, name: string): void {
  const fail = (problem: string): never => {
    throw new UserError(`${name}: calibration statistics ${problem}`);
  };
  if (!(stats.count > 0) || !(stats.sequences > 0)) fail(`cover no tokens (count=${stats.count}, sequences=${stats.sequences})`);
  for (const [field, array] of [['sumSquares', stats.sumSquares], ['min', stats.min], ['max', stats.max]] as const) {
    if (array.length !== K) fail(`have ${array.length} ${field} values for K=${K} channels`);
  }
  if (stats.histogram) checkHistogram(stats.histogram, stats, K, fail);
}

function checkHistogram(histogram: Uint32Array, stats: ChannelStats, K: number, fail: (problem: string) => never): void {
  const bins = stats.bins;
  if (!Number.isInteger(bins) || bins < 2) fail(`have bins=${bins}; at least 2 are needed`);
  if (histogram.length !== K * bins) fail(`histogram has ${histogram.length} counts, expected K×bins = ${K * bins}`);
  for (let k = 0; k < K; k++) {
    let sum = 0;
    for (let b = 0; b < bins; b++) sum += histogram[k * bins + b];
    if (sum !== stats.count) fail(`histogram of channel ${k} counts ${sum} values, expected ${stats.count}`);
  }
}
