// The heatmap's data path on real statistics of the demo model: stats file → rows → pixels.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main';
import { readStatsFile } from '../../src/core/stats/stats-file';
import { buildHeatmapData } from '../../src/extension/heatmap/heatmap-data';
import { viridisLut } from '../../webview/shared/colormap';
import { displayRange, renderRows, sortedChannels, sortRows } from '../../webview/heatmap/render';

const root = join(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'merino-heatmap-'));
const statsPath = join(dir, 'stats.json');

async function demoStats() {
  const err: string[] = [];
  const io = { out: () => {}, err: (t: string) => void err.push(t), isTTY: false, signal: new AbortController().signal };
  const args = ['stats', join(root, 'demo/tiny-gpt.onnx'), '--calib', join(root, 'demo/calib.txt'), '--samples', '4', '--seqlen', '32', '--out', statsPath];
  assert.equal(await main(args, io), 0, err.join(''));
  return readStatsFile(statsPath);
}

test('rows follow the stats entries; the score is Ĥ + α·r̂ computed from the stored entropy and RMS', async () => {
  const stats = await demoStats();
  const alpha = 0.5;
  const data = buildHeatmapData(stats, 'tiny-gpt.onnx', alpha);
  const entries = stats.header.entries;
  assert.equal(data.rows.length, entries.length);
  assert.equal(data.rowOffsets[entries.length], entries.reduce((s, e) => s + e.channels, 0));
  entries.forEach((e, r) => {
    const a = stats.arrays.get(e.tensor)!;
    const row = (m: 'entropy' | 'rms' | 'score') => data.metrics[m].subarray(data.rowOffsets[r], data.rowOffsets[r + 1]);
    assert.deepEqual(row('entropy'), a.entropy);
    assert.deepEqual(row('rms'), a.rms);
    const meanRms = a.rms.reduce((s, v) => s + v, 0) / a.rms.length;
    for (const k of [0, e.channels >> 1, e.channels - 1]) {
      const expected = a.entropy[k] / Math.log(stats.header.bins) + (alpha * a.rms[k]) / meanRms;
      assert.ok(Math.abs(row('score')[k] - expected) < 1e-5, `row ${r} channel ${k}: ${row('score')[k]} vs ${expected}`);
    }
  });
});

test('rendering colours every channel of a row and leaves the rest of shorter rows as background', () => {
  const rows = [{ values: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) }, { values: Float32Array.from([7, 7, 7, 7]) }];
  const width = 8;
  const out = new Uint8ClampedArray(width * 2 * 4);
  const lut = viridisLut();
  const bg: [number, number, number] = [1, 2, 3];
  renderRows(out, rows, { start: 0, span: 8, width, rowHeight: 1 }, { lo: 0, hi: 7 }, lut, bg);
  const px = (x: number, y: number) => Array.from(out.subarray((y * width + x) * 4, (y * width + x) * 4 + 3));
  assert.deepEqual(px(0, 0), Array.from(lut.subarray(0, 3)));
  assert.deepEqual(px(7, 0), Array.from(lut.subarray(255 * 3, 256 * 3)));
  assert.deepEqual(px(3, 1), Array.from(lut.subarray(255 * 3, 256 * 3)));
  assert.deepEqual(px(4, 1), bg);
  // Zoomed out (8 channels on 4 pixels), each pixel is the mean of its two channels.
  const half = new Uint8ClampedArray(4 * 4);
  renderRows(half, rows.slice(0, 1), { start: 0, span: 8, width: 4, rowHeight: 1 }, { lo: 0, hi: 7 }, lut, bg);
  const idx = Math.round((0.5 / 7) * 255) * 3;
  assert.deepEqual(Array.from(half.subarray(0, 3)), Array.from(lut.subarray(idx, idx + 3)));
});

test('sorting keeps each value with its original channel; the display range ignores the top 1%', () => {
  const [sorted] = sortRows([{ values: Float32Array.from([0.2, 0.9, 0.5, 0.5]) }]);
  assert.deepEqual(Array.from(sorted.values), [0.9, 0.5, 0.5, 0.2].map(Math.fround));
  assert.deepEqual(Array.from(sortedChannels(sorted)), [1, 2, 3, 0]);
  const values = new Float32Array(1000).map((_, i) => i);
  values[999] = 1e9;
  const range = displayRange(values);
  assert.ok(range.hi < 1000 && range.lo <= 10, JSON.stringify(range));
});
