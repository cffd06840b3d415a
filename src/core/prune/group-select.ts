// Selection inside one group of M ≤ 16 scores (small, so simple quadratic loops are fastest).

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

/** Sum of the n largest of values[0..m); reorders `values`. */
export function sumOfLargest(values: Float64Array, m: number, n: number): number {
  sortDescending(values, m);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  return sum;
}

/**
 * keep[i] = 1 for the n largest of values[0..m), ties toward the lower index; 0 otherwise.
 * NaN ranks below every number. Returns the kept sum.
 */
export function keepLargest(values: Float64Array, m: number, n: number, keep: Uint8Array): number {
  let kept = 0;
  for (let i = 0; i < m; i++) {
    const v = orderKey(values[i]);
    let rank = 0;
    for (let j = 0; j < m && rank < n; j++) {
      const u = orderKey(values[j]);
      if (u > v || (u === v && j < i)) rank++;
    }
    keep[i] = rank < n ? 1 : 0;
    if (rank < n) kept += values[i];
  }
  return kept;
}

function orderKey(v: number): number {
  return v === v ? v : -Infinity;
}
