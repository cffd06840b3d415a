/**
 * The fraction of kept positions two masks share: |A ∧ B| / |A| summed over the layers both pruned
 * (for N:M masks |A| = |B|, so the measure is symmetric there).
 */
export function maskOverlap(a: Map<string, Uint8Array>, b: Map<string, Uint8Array>): number {
  let shared = 0;
  let kept = 0;
  for (const [layer, ma] of a) {
    const mb = b.get(layer);
    if (!mb) continue;
    for (let i = 0; i < ma.length; i++) {
      kept += ma[i]!;
      shared += ma[i]! & mb[i]!;
    }
  }
  return kept > 0 ? shared / kept : 1;
}
