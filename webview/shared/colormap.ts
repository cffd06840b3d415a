// Viridis (perceptually uniform, colour-blind safe, readable on light and dark themes) as a 256-entry RGB table,
// interpolated from 9 anchors of matplotlib's viridis.
const ANCHORS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export function viridisLut(): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (ANCHORS.length - 1);
    const j = Math.min(ANCHORS.length - 2, Math.floor(t));
    const f = t - j;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(ANCHORS[j][c] * (1 - f) + ANCHORS[j + 1][c] * f);
  }
  return lut;
}
