/** Suggestions for quick fixes: the nearest name, the nearest valid value. */

/** Levenshtein distance, bounded to strings of ≤ 200 characters. */
export function editDistance(a: string, b: string): number {
  a = a.slice(0, 200);
  b = b.slice(0, 200);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate closest to `name`, when it is close enough to be a typo (≤ max(3, 40% of the length) edits). */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(3, Math.ceil(0.4 * name.length)) ? best : undefined;
}

/** The value of `sorted` (ascending, non-empty) nearest to x; ties go to the larger. */
export function nearestValue(x: number, sorted: readonly number[]): number {
  let best = sorted[0];
  for (const v of sorted) if (Math.abs(v - x) <= Math.abs(best - x)) best = v;
  return best;
}

/** The multiple of m nearest to x, at least m. */
export const nearestMultiple = (x: number, m: number): number => Math.max(m, Math.round(x / m) * m);
