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

/**
 * Channels per tile: a tile's histogram rows (16 × 256 bins × 4 bytes = 16 KiB) stay in L1 while
 * every token of the tile is counted, instead of touching K different rows per token.
 */
const TILE = 16;

/**
 * Counts rows of activations (row-major [rows, K]) into the histogram (`scales` from binScales)
 * and adds them to Σx² in the same sweep. Per channel the rows are visited in order, so Σx² is the
 * same float64 sum as a token-by-token loop.
 */
export function accumulateHistogram(stats: ChannelStats, scales: Float64Array, data: Float32Array): void {
  const histogram = stats.histogram!;
  const { min, bins, sumSquares } = stats;
  const K = channelCount(stats);
  const last = bins - 1;
  for (let k0 = 0; k0 < K; k0 += TILE) {
    const k1 = Math.min(K, k0 + TILE);
    for (let base = 0; base < data.length; base += K) {
      for (let k = k0, row = k0 * bins; k < k1; k++, row += bins) {
        const x = data[base + k]!;
        sumSquares[k] += x * x;
        // x ≥ min_k, so truncation is the floor.
        let b = ((x - min[k]!) * scales[k]!) | 0;
        if (b > last) b = last;
        histogram[row + b]++;
      }
    }
  }
}
