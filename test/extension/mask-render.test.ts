import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OVERLAP, renderMasks } from '../../webview/masks/render';

const K = 12;
const N = 5;
/** Seeded bits for K×N positions. */
function bits(seed: number): Uint8Array {
  const b = new Uint8Array(Math.ceil((K * N) / 8));
  let x = seed;
  for (let i = 0; i < K * N; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    if ((x >>> 16) & 1) b[i >> 3] |= 1 << (i & 7);
  }
  return b;
}
const at = (b: Uint8Array, i: number) => (b[i >> 3]! >> (i & 7)) & 1;
const palette = [[0, 0, 0], [0, 0, 200], [0, 200, 0], [200, 0, 0]];
const background = [7, 7, 7];

test('one weight per pixel: each pixel has its overlap category’s colour; outside the matrix the background', () => {
  const a = bits(1);
  const b = bits(2);
  const width = K + 3;
  const out = new Uint8ClampedArray(width * N * 4);
  renderMasks(out, a, b, K, N, { x0: 0, y0: 0, scale: 1, width, height: N }, palette, background);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < width; k++) {
      const i = n * K + k;
      const expected = k < K ? palette[at(a, i) && at(b, i) ? OVERLAP.both : at(a, i) ? OVERLAP.onlyA : at(b, i) ? OVERLAP.onlyB : OVERLAP.neither]! : background;
      assert.deepEqual(Array.from(out.subarray((n * width + k) * 4, (n * width + k) * 4 + 3)), expected, `pixel (${n}, ${k})`);
    }
  }
});

test('zoomed out, a pixel averages the colours of the weights it covers; panned, the view starts at x0', () => {
  const a = bits(3);
  const out = new Uint8ClampedArray(3 * 2 * 4);
  renderMasks(out, a, undefined, K, N, { x0: 4, y0: 0, scale: 0.5, width: 3, height: 2 }, palette.slice(0, 2), background);
  for (let py = 0; py < 2; py++) {
    for (let px = 0; px < 3; px++) {
      let kept = 0;
      for (let n = 2 * py; n < Math.min(N, 2 * py + 2); n++) for (let k = 4 + 2 * px; k < 6 + 2 * px; k++) kept += at(a, n * K + k);
      const all = (Math.min(N, 2 * py + 2) - 2 * py) * 2;
      assert.equal(out[(py * 3 + px) * 4 + 2], Math.round((200 * kept) / all), `pixel (${py}, ${px})`);
    }
  }
});
