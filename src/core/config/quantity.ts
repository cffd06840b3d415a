/** Quantities in design files: a number, or a string with a decimal suffix ("64M", "1.5G"). */

const SUFFIX: Readonly<Record<string, number>> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, B: 1e9, T: 1e12, P: 1e15 };
const PATTERN = /^([0-9]+(?:\.[0-9]+)?(?:[eE]\+?[0-9]+)?)\s*([kKMGBTP]?)$/;
/** The largest quantity a design file may state (larger ones are typos). */
export const MAX_QUANTITY = 1e18;

/** The value of a quantity, or undefined when it is not a positive finite number ≤ MAX_QUANTITY. */
export function parseQuantity(v: unknown): number | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = PATTERN.exec(v.trim());
    if (m) n = Number(m[1]) * SUFFIX[m[2]];
  }
  return n !== undefined && Number.isFinite(n) && n > 0 && n <= MAX_QUANTITY ? n : undefined;
}

/** 124439808 → "124.4M"; exact below 10 000. */
export function formatQuantity(n: number, digits = 4): string {
  const abs = Math.abs(n);
  for (const [s, f] of [['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['K', 1e3]] as const) {
    if (abs >= f && abs >= 1e4) return `${Number((n / f).toPrecision(digits))}${s}`;
  }
  return `${Number(n.toPrecision(Math.max(digits, 5)))}`;
}
