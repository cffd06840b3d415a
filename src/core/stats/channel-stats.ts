/**
 * Per-channel statistics of one activation tensor (K channels = its last dim) over the calibration
 * tokens, accumulated in float64: what Wanda (sum of squares) and E-Sparse (sum of squares and the
 * histogram over [min_k, max_k]) need. See ALGORITHMS.md §1 and docs/calibration.md.
 */
export interface ChannelStats {
  /** Tokens T seen by each channel. */
  count: number;
  /** Calibration sequences N_seq. */
  sequences: number;
  /** Σ_t x_tk² per channel. */
  sumSquares: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** K × bins counts, row-major: equal-width bins over the exact [min_k, max_k] of all T tokens. */
  histogram?: Uint32Array;
  bins: number;
}

/** Empty statistics for K channels (min = +∞, max = −∞ until the first token). */
export function createChannelStats(channels: number, bins: number): ChannelStats {
  return {
    count: 0,
    sequences: 0,
    sumSquares: new Float64Array(channels),
    min: new Float64Array(channels).fill(Infinity),
    max: new Float64Array(channels).fill(-Infinity),
    bins,
  };
}

export function channelCount(stats: ChannelStats): number {
  return stats.sumSquares.length;
}

/** r_k = sqrt(Σ_t x_tk² / T). */
export function channelRms(stats: ChannelStats): Float64Array {
  return stats.sumSquares.map((s) => (stats.count > 0 ? Math.sqrt(s / stats.count) : 0));
}

/** ‖X_k‖ = sqrt(Σ_t x_tk² / N_seq), the Wanda norm. */
export function channelNorm(stats: ChannelStats): Float64Array {
  return stats.sumSquares.map((s) => (stats.sequences > 0 ? Math.sqrt(s / stats.sequences) : 0));
}

const entropyOf = new WeakMap<Uint32Array, Float64Array>();
let logTable = new Float64Array(1);

/** ln c for c = 0..n (index 0 unused), grown on demand; a lookup is far cheaper than Math.log. */
function logsUpTo(n: number): Float64Array {
  if (logTable.length <= n) logTable = Float64Array.from({ length: n + 1 }, (_, c) => Math.log(c));
  return logTable;
}

/**
 * H_k = −Σ_b p_kb ln p_kb in nats, p_kb = histogram[k, b] / T (0 for a constant channel), computed
 * as (1/T) Σ_b c_b (ln T − ln c_b). Computed once per histogram and shared: do not modify the result.
 */
export function channelEntropy(stats: ChannelStats): Float64Array {
  const { histogram, bins, count } = stats;
  if (!histogram) throw new Error('channelEntropy: the statistics have no histogram');
  const cached = entropyOf.get(histogram);
  if (cached) return cached;
  const K = channelCount(stats);
  const out = new Float64Array(K);
  const lnT = Math.log(count);
  const ln = logsUpTo(Math.min(count, 1 << 20));
  const tableSize = ln.length;
  for (let k = 0; k < K; k++) {
    let h = 0;
    for (let b = k * bins, end = b + bins; b < end; b++) {
      const c = histogram[b]!;
      if (c > 0) h += c * (lnT - (c < tableSize ? ln[c]! : Math.log(c)));
    }
    out[k] = count > 0 ? h / count : 0;
  }
  entropyOf.set(histogram, out);
  return out;
}
