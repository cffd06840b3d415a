import { UserError } from '../errors';
import { createPrng, randomInt } from './prng';

/** Calibration input: `samples` windows of `seqlen` token ids, stored row-major. */
export interface TokenWindows {
  tokens: Int32Array;
  samples: number;
  seqlen: number;
}

/** Fails with a message naming the file when the token stream is shorter than one window. */
export function requireWindow(tokenCount: number, seqlen: number, file: string): void {
  if (tokenCount === 0) throw new UserError(`${file}: no tokens`, 'give a non-empty text or token file');
  if (tokenCount < seqlen) {
    throw new UserError(`${file}: ${tokenCount} tokens, shorter than one window of ${seqlen}`, `give at least ${seqlen} tokens or a smaller --seqlen`);
  }
}

/**
 * Draws `samples` windows of `seqlen` consecutive tokens at uniformly random start offsets in
 * [0, n − seqlen], seeded: the same tokens, count, length and seed always give the same windows.
 */
export function sampleWindows(tokens: Int32Array, samples: number, seqlen: number, seed: number, file: string): TokenWindows {
  requireWindow(tokens.length, seqlen, file);
  const rand = createPrng(seed);
  const out = new Int32Array(samples * seqlen);
  const starts = tokens.length - seqlen + 1;
  for (let s = 0; s < samples; s++) {
    const offset = randomInt(rand, starts);
    out.set(tokens.subarray(offset, offset + seqlen), s * seqlen);
  }
  return { tokens: out, samples, seqlen };
}

/**
 * The non-overlapping windows `[w·S, (w+1)·S)` of a token stream (a final partial window is
 * dropped), at most `maxWindows` of them: the perplexity windows of ALGORITHMS.md §3.
 */
export function consecutiveWindows(tokens: Int32Array, seqlen: number, file: string, maxWindows = Infinity): TokenWindows {
  requireWindow(tokens.length, seqlen, file);
  const samples = Math.min(Math.floor(tokens.length / seqlen), maxWindows);
  return { tokens: tokens.slice(0, samples * seqlen), samples, seqlen };
}

/** Windows `first .. first+count−1` as one [count, seqlen] block (a view, no copy). */
export function windowBatch(windows: TokenWindows, first: number, count: number): Int32Array {
  return windows.tokens.subarray(first * windows.seqlen, (first + count) * windows.seqlen);
}
