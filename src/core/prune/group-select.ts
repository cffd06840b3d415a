// Selection inside one group of M ≤ 16 scores for nmMask's plain loop (the retained score and the
// shuffle kernels use sorting networks instead, see sorting-network.ts).

/** Sorts values[0..m) descending in place (insertion sort). */
export function sortDescending(values: Float64Array, m: number): void {
  for (let i = 1; i < m; i++) {
    const v = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] < v) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = v;
  }
}

/**
 * keep[i] = 1 for the n largest of values[0..m), ties toward the lower index; 0 otherwise. `sorted`
 * is scratch of length ≥ m. Values must not be NaN (callers map NaN to −∞). Returns the kept sum.
 */
export function keepLargest(values: Float64Array, sorted: Float64Array, m: number, n: number, keep: Uint8Array): number {
  for (let i = 0; i < m; i++) sorted[i] = values[i];
  sortDescending(sorted, m);
  const threshold = sorted[n - 1];
  let tiesToKeep = n;
  for (let i = 0; i < n; i++) if (sorted[i] > threshold) tiesToKeep--;
  let kept = 0;
  for (let i = 0; i < m; i++) {
    const v = values[i];
    const k = v > threshold || (v === threshold && tiesToKeep-- > 0);
    keep[i] = k ? 1 : 0;
    if (k) kept += v;
  }
  return kept;
}
