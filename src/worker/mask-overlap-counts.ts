import type { MaskComparison } from '../protocol/job-messages';

type Counts = NonNullable<MaskComparison['counts']>;

/** Set bits of a byte. */
function popcount(x: number): number {
  x -= (x >> 1) & 0x55;
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}

/** Positions kept in both masks, only in A, only in B and in neither; `total` = K·N bits (the rest is padding, zero in both). */
export function maskOverlapCounts(a: Uint8Array, b: Uint8Array, total: number): Counts {
  if (a.length !== b.length || a.length !== Math.ceil(total / 8)) throw new Error(`masks of different sizes (${a.length} and ${b.length} bytes for ${total} positions)`);
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    both += popcount(a[i]! & b[i]!);
    onlyA += popcount(a[i]! & ~b[i]! & 0xff);
    onlyB += popcount(b[i]! & ~a[i]! & 0xff);
  }
  return { both, onlyA, onlyB, neither: total - both - onlyA - onlyB };
}

/** |A ∧ B| / |A|: the fraction of A's kept positions that B keeps too (as `maskOverlap` in core); 1 when A keeps nothing. */
export function overlapFraction(c: Counts): number {
  const kept = c.both + c.onlyA;
  return kept > 0 ? c.both / kept : 1;
}
