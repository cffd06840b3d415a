// Pure rendering of one N:M mask, or two overlaid, into RGBA pixels (row n = output unit, column k along K).

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

/**
 * Categories of a weight: one mask → 0 pruned, 1 kept; two masks A, B → 2·a + b, i.e. the `OVERLAP`
 * indices below. `palette` is indexed by category.
 */
export const OVERLAP = { neither: 0, onlyB: 1, onlyA: 2, both: 3 } as const;

/**
 * Each pixel shows the average of `palette[category]` over the weights it covers (at high zoom, one
 * weight's colour); outside the matrix it is `background`. `b` absent: one mask.
 */
export function renderMasks(out: Uint8ClampedArray, a: Uint8Array, b: Uint8Array | undefined, K: number, N: number, v: MaskView, palette: readonly Rgb[], background: Rgb): void {
  const step = 1 / v.scale;
  // Columns k0..k1 each pixel column covers (k0 = −1: outside the matrix), computed once.
  const k0s = new Int32Array(v.width);
  const k1s = new Int32Array(v.width);
  for (let px = 0; px < v.width; px++) {
    const k0 = Math.floor(v.x0 + px * step);
    k0s[px] = k0 >= 0 && k0 < K ? k0 : -1;
    k1s[px] = Math.min(K, Math.max(k0 + 1, Math.floor(v.x0 + (px + 1) * step)));
  }
  const category = (i: number) => (b ? (((a[i >> 3]! >> (i & 7)) & 1) << 1) | ((b[i >> 3]! >> (i & 7)) & 1) : (a[i >> 3]! >> (i & 7)) & 1);
  const counts = new Float64Array(4);
  for (let py = 0; py < v.height; py++) {
    const n0 = Math.floor(v.y0 + py * step);
    const n1 = Math.min(N, Math.max(n0 + 1, Math.floor(v.y0 + (py + 1) * step)));
    const inside = n0 >= 0 && n0 < N;
    for (let px = 0, o = py * v.width * 4; px < v.width; px++, o += 4) {
      const k0 = k0s[px]!;
      const k1 = k1s[px]!;
      let colour: Rgb = background;
      if (inside && k0 >= 0 && n1 - n0 === 1 && k1 - k0 === 1) colour = palette[category(n0 * K + k0)]!;
      else if (inside && k0 >= 0) {
        counts.fill(0);
        for (let n = n0; n < n1; n++) {
          const end = n * K + k1;
          if (b) for (let i = n * K + k0; i < end; i++) counts[(((a[i >> 3]! >> (i & 7)) & 1) << 1) | ((b[i >> 3]! >> (i & 7)) & 1)]!++;
          else for (let i = n * K + k0; i < end; i++) counts[(a[i >> 3]! >> (i & 7)) & 1]!++;
        }
        const all = (n1 - n0) * (k1 - k0);
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let cat = 0; cat < palette.length; cat++) sum += counts[cat]! * palette[cat]![c]!;
          out[o + c] = sum / all;
        }
        out[o + 3] = 255;
        continue;
      }
      out[o] = colour[0]!;
      out[o + 1] = colour[1]!;
      out[o + 2] = colour[2]!;
      out[o + 3] = 255;
    }
  }
}
