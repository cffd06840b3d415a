// Pure rendering of the heatmap into RGBA pixels (no DOM): testable and benchmarkable in node.

/** One row's values in display order (sorted or not) and, when sorted, the original channel of each. */
export interface DisplayRow {
  values: Float32Array;
  /** For a sorted row: the unsorted values, and (once asked, see sortedChannels) each position's channel. */
  source?: Float32Array;
  channels?: Uint32Array;
}

export interface Viewport {
  /** First channel shown and how many channels the width spans. */
  start: number;
  span: number;
  width: number;
  rowHeight: number;
}

/** Display range [lo, hi]: the 1st and 99th percentiles, so that a few outlier channels do not wash out the rest. */
export function displayRange(values: Float32Array): { lo: number; hi: number } {
  if (values.length === 0) return { lo: 0, hi: 1 };
  const stride = Math.max(1, Math.floor(values.length / 65536));
  const sample = new Float32Array(Math.ceil(values.length / stride));
  for (let i = 0, j = 0; i < values.length; i += stride) sample[j++] = values[i];
  sample.sort();
  const lo = sample[Math.floor(0.01 * (sample.length - 1))];
  let hi = sample[Math.ceil(0.99 * (sample.length - 1))];
  if (!(hi > lo)) hi = lo + 1;
  return { lo, hi };
}

/** Each row's values sorted descending (native numeric sort; the channel permutation is computed on demand). */
export function sortRows(rows: DisplayRow[]): DisplayRow[] {
  return rows.map(({ values }) => ({ values: Float32Array.from(values).sort().reverse(), source: values }));
}

/** The original channel of each sorted position (ties: lower channel first), for hover on a sorted row. */
export function sortedChannels(row: DisplayRow): Uint32Array {
  if (!row.channels) {
    const v = row.source ?? row.values;
    row.channels = new Uint32Array(v.length).map((_, i) => i).sort((a, b) => v[b] - v[a] || a - b);
  }
  return row.channels;
}

/**
 * Fills `out` (RGBA, width × rows·rowHeight) with the rows: each pixel column shows the mean of the channels
 * it covers, coloured through `lut` over [lo, hi]; channels past a row's end are background.
 */
export function renderRows(out: Uint8ClampedArray, rows: DisplayRow[], view: Viewport, range: { lo: number; hi: number }, lut: Uint8Array, background: [number, number, number]): void {
  const { start, span, width, rowHeight } = view;
  const scale = 255 / (range.hi - range.lo);
  const line = new Uint8ClampedArray(width * 4);
  rows.forEach((row, r) => {
    const v = row.values;
    for (let x = 0; x < width; x++) {
      const c0 = start + Math.floor((x * span) / width);
      const c1 = Math.max(c0 + 1, start + Math.floor(((x + 1) * span) / width));
      const o = x * 4;
      if (c0 >= v.length) {
        line[o] = background[0];
        line[o + 1] = background[1];
        line[o + 2] = background[2];
      } else {
        let sum = 0;
        const end = Math.min(c1, v.length);
        for (let c = c0; c < end; c++) sum += v[c];
        const idx = Math.max(0, Math.min(255, Math.round((sum / (end - c0) - range.lo) * scale))) * 3;
        line[o] = lut[idx];
        line[o + 1] = lut[idx + 1];
        line[o + 2] = lut[idx + 2];
      }
      line[o + 3] = 255;
    }
    for (let y = 0; y < rowHeight; y++) out.set(line, (r * rowHeight + y) * width * 4);
  });
}
