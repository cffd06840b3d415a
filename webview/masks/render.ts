// Pure rendering of a bit mask (row n = output unit, column k along K) into RGBA pixels.

export interface MaskView {
  /** First column (k) and row (n) at the top-left, and screen pixels per weight. */
  x0: number;
  y0: number;
  scale: number;
  width: number;
  height: number;
}

export const isKept = (bits: Uint8Array, i: number) => ((bits[i >> 3] >> (i & 7)) & 1) === 1;

/**
 * Each pixel shows the fraction of kept weights among those it covers, blended from `pruned` to `kept`;
 * outside the matrix it is `background`.
 */
export function renderMask(out: Uint8ClampedArray, bits: Uint8Array, K: number, N: number, v: MaskView, kept: number[], pruned: number[], background: number[]): void {
  const step = 1 / v.scale;
  for (let py = 0; py < v.height; py++) {
    const n0 = Math.floor(v.y0 + py * step);
    const n1 = Math.max(n0 + 1, Math.floor(v.y0 + (py + 1) * step));
    for (let px = 0; px < v.width; px++) {
      const k0 = Math.floor(v.x0 + px * step);
      const k1 = Math.max(k0 + 1, Math.floor(v.x0 + (px + 1) * step));
      const o = (py * v.width + px) * 4;
      let colour = background;
      let f = 0;
      if (n0 < N && k0 < K && n0 >= 0 && k0 >= 0) {
        let on = 0;
        let all = 0;
        for (let n = n0; n < Math.min(n1, N); n++) for (let k = k0; k < Math.min(k1, K); k++, all++) if (isKept(bits, n * K + k)) on++;
        f = on / all;
        colour = kept;
      }
      if (colour === background) {
        out[o] = background[0];
        out[o + 1] = background[1];
        out[o + 2] = background[2];
      } else {
        out[o] = pruned[0] + (kept[0] - pruned[0]) * f;
        out[o + 1] = pruned[1] + (kept[1] - pruned[1]) * f;
        out[o + 2] = pruned[2] + (kept[2] - pruned[2]) * f;
      }
      out[o + 3] = 255;
    }
  }
}
