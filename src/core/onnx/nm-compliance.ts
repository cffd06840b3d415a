/** Number of exact zeros in a weight tensor. */
export function countZeros(data: Float32Array): number {
  let zeros = 0;
  for (let i = 0; i < data.length; i++) if (data[i] === 0) zeros++;
  return zeros;
}

/** Fraction of exact zeros in a weight tensor. */
export function sparsity(data: Float32Array): number {
  return data.length === 0 ? 0 : countZeros(data) / data.length;
}

/**
 * Whether a weight satisfies N:M along its reduction axis K: for every output unit, each group of
 * `m` consecutive k (starting at 0, m, 2m, … in stored order) holds at most `n` nonzeros.
 * `layout` KN stores W[k,n] at k·N + n; NK at n·K + k. A K that is not a multiple of m never complies.
 */
export function nmCompliant(data: Float32Array, layout: 'KN' | 'NK', K: number, N: number, n: number, m: number): boolean {
  if (K % m !== 0 || data.length !== K * N) return false;
  const kStride = layout === 'KN' ? N : 1;
  const nStride = layout === 'KN' ? 1 : K;
  for (let col = 0; col < N; col++) {
    for (let k0 = 0; k0 < K; k0 += m) {
      let nonzero = 0;
      for (let k = k0; k < k0 + m; k++) if (data[k * kStride + col * nStride] !== 0) nonzero++;
      if (nonzero > n) return false;
    }
  }
  return true;
}
