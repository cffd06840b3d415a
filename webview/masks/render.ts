// Pure rendering of per-weight categories (row n = output unit, column k along K) into RGBA pixels:
// one mask (pruned / kept) or two masks overlaid (neither / only B / only A / both).

export interface MaskView {
  /** First column (k) and row (n) at the top-left, and screen pixels per weight. */
  x0: number;
  y0: number;
  scale: number;
  width: number;
  height: number;
}

export type Rgb = readonly [number, number, number] | number[];

export const isKept = (bits: Uint8Array, i: number) => ((bits[i >> 3]! >> (i & 7)) & 1) === 1;

/** The category of weight i: 0 pruned, 1 kept (one mask). */
export const keptCategory = (bits: Uint8Array) => (i: number) => (bits[i >> 3]! >> (i & 7)) & 1;

/** Overlap categories of weight i in masks A and B. */
export const OVERLAP = { neither: 0, onlyB: 1, onlyA: 2, both: 3 } as const;
export const overlapCategory = (a: Uint8Array, b: Uint8Array) => (i: number) => (((a[i >> 3]! >> (i & 7)) & 1) << 1) | ((b[i >> 3]! >> (i & 7)) & 1);

/**
 * Each pixel shows the average of `palette[category]` over the weights it covers (at high zoom, one weight's
 * colour); outside the matrix it is `background`.
 */
export function renderCategories(out: Uint8ClampedArray, K: number, N: number, v: MaskView, category: (i: number) => number, palette: readonly Rgb[], background: Rgb): void {
  const step = 1 / v.scale;
  const sum = [0, 0, 0];
  for (let py = 0; py < v.height; py++) {
    const n0 = Math.floor(v.y0 + py * step);
    const n1 = Math.min(N, Math.max(n0 + 1, Math.floor(v.y0 + (py + 1) * step)));
    for (let px = 0; px < v.width; px++) {
      const k0 = Math.floor(v.x0 + px * step);
      const k1 = Math.min(K, Math.max(k0 + 1, Math.floor(v.x0 + (px + 1) * step)));
      const o = (py * v.width + px) * 4;
      let colour: Rgb = background;
      if (n0 < N && k0 < K && n0 >= 0 && k0 >= 0) {
        sum[0] = sum[1] = sum[2] = 0;
        let all = 0;
        for (let n = n0; n < n1; n++) {
          for (let k = k0; k < k1; k++, all++) {
            const c = palette[category(n * K + k)]!;
            sum[0] += c[0]!;
            sum[1] += c[1]!;
            sum[2] += c[2]!;
          }
        }
        colour = [sum[0] / all, sum[1] / all, sum[2] / all];
      }
      out[o] = colour[0]!;
      out[o + 1] = colour[1]!;
      out[o + 2] = colour[2]!;
      out[o + 3] = 255;
    }
  }
}

/** inverse[perm[j]] = j. */
export function invert(perm: Int32Array): Int32Array {
  const inverse = new Int32Array(perm.length);
  perm.forEach((c, j) => (inverse[c] = j));
  return inverse;
}
