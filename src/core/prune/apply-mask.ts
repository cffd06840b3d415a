/** Zeroes the weights whose mask entry is 0, in place; kept weights are not touched. Returns the zeros written. */
export function applyMask(weights: Float32Array, mask: Uint8Array): number {
  if (weights.length !== mask.length) throw new Error(`mask of ${mask.length} entries for ${weights.length} weights`);
  let pruned = 0;
  for (let i = 0; i < weights.length; i++) {
    if (mask[i] === 0) {
      weights[i] = 0;
      pruned++;
    }
  }
  return pruned;
}

/** Sum of the scores the mask keeps. */
export function keptScore(scores: Float32Array, mask: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) if (mask[i]) sum += scores[i];
  return sum;
}
