import { UserError } from '../errors';
import type { ChannelStats } from '../stats/channel-stats';
import { channelEntropy } from '../stats/channel-stats';

/** Ĥ_k = H_k / ln(bins) ∈ [0, 1]. */
export function normalizedChannelEntropy(stats: ChannelStats): Float64Array {
  if (!stats.histogram) throw new UserError('channel entropy needs per-channel histograms', 'collect statistics with bins ≥ 2');
  const scale = 1 / Math.log(stats.bins);
  return channelEntropy(stats).map((h) => h * scale);
}

/** v_k / mean(v) (dimensionless); all zeros when the mean is 0. */
export function relativeToMean(values: Float64Array): Float64Array {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  return values.map((v) => (mean > 0 ? v / mean : 0));
}
