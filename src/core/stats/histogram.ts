import { channelCount, type ChannelStats } from './channel-stats';

/**
 * The bin of value x in channel k: b = ⌊(x − min_k) · s_k⌋ with s_k = bins / (max_k − min_k),
 * computed in float64, clamped to bins − 1 (so x = max_k falls in the last bin). A constant
 * channel (max_k = min_k) puts every value in bin 0.
 */
export function binScales(stats: ChannelStats): Float64Array {
  const { min, max, bins } = stats;
  return min.map((lo, k) => (max[k]! > lo ? bins / (max[k]! - lo) : 0));
}

/** Allocates the K × bins histogram, once min and max are final. */
export function startHistogram(stats: ChannelStats): void {
  stats.histogram = new Uint32Array(channelCount(stats) * stats.bins);
}
