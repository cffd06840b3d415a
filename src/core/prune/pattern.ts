import { UserError } from '../errors';

/** N:M sparsity: in every group of M consecutive weights along K (per output unit) at most N are nonzero. */
export interface NmPattern {
  n: number;
  m: number;
}

/** Largest supported group size M. */
export const MAX_GROUP_SIZE = 16;

const PATTERN_HINT = `use N:M with 1 ≤ N < M ≤ ${MAX_GROUP_SIZE}, e.g. --pattern 2:4`;

/** Parses "2:4" (also "2/4"); rejects anything that is not 1 ≤ N < M ≤ 16 with the fix in the message. */
export function parsePattern(text: string): NmPattern {
  const match = /^\s*(\d+)\s*[:/]\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UserError(`invalid pattern "${text}": expected N:M`, PATTERN_HINT);
  const n = Number(match[1]);
  const m = Number(match[2]);
  const problem =
    m < 2 ? 'M must be at least 2'
    : m > MAX_GROUP_SIZE ? `M must be at most ${MAX_GROUP_SIZE}`
    : n < 1 ? 'N must be at least 1'
    : n >= m ? 'N must be smaller than M'
    : undefined;
  if (problem) throw new UserError(`invalid pattern "${text}": ${problem}`, PATTERN_HINT);
  return { n, m };
}

/** "2:4". */
export function formatPattern(p: NmPattern): string {
  return `${p.n}:${p.m}`;
}

/** Parses an unstructured sparsity, a fraction strictly between 0 and 1 (e.g. 0.5). */
export function parseSparsity(text: string | number): number {
  const s = typeof text === 'number' ? text : text.trim() === '' ? NaN : Number(text);
  if (!(s > 0 && s < 1)) {
    throw new UserError(`invalid sparsity "${text}": it must be a fraction strictly between 0 and 1`, 'e.g. --sparsity 0.5');
  }
  return s;
}

/** Why a layer with K input channels must stay dense under `p`, or undefined if it can be pruned. */
export function denseReason(K: number, p: NmPattern): string | undefined {
  return K % p.m === 0 ? undefined : `K=${K} is not a multiple of M=${p.m}`;
}
