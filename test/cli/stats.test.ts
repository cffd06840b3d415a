import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { merino } from './run-cli';
import { readStatsFile } from '../../src/core/stats/stats-file';
import { findLinearLayers } from '../../src/core/onnx/linear-layers';
import { loadModel } from '../../src/core/onnx/model-file';
import { writeFixture } from '../fixtures/build-fixtures';
import { seededRandom } from '../fixtures/onnx-builder';

const dir = mkdtempSync(join(tmpdir(), 'merino-cli-stats-'));
const rand = seededRandom(5);
const calib = join(dir, 'calib.txt');
writeFileSync(calib, Uint8Array.from({ length: 500 }, () => 32 + Math.floor(rand() * 90)));

test('merino stats --out writes a header and arrays for every prunable layer input', async () => {
  const model = await writeFixture(dir, 'basic');
  const out = join(dir, 'out', 'stats.json');
  const outDir = join(dir, 'out');
  mkdirSync(outDir);
  const r = merino('stats', model, '--calib', calib, '--samples', '6', '--seqlen', '32', '--bins', '16', '--seed', '4', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*stats\.json and .*stats\.bin/);
  assert.match(r.stderr, /calibrating 6\/6/);
  assert.deepEqual(readdirSync(outDir).sort(), ['stats.bin', 'stats.json']);
  const file = readStatsFile(out);
  const layers = findLinearLayers(await loadModel(model)).layers.map((l) => l.name);
  assert.deepEqual(file.header.entries.flatMap((e) => e.layers).sort(), [...layers].sort());
  assert.deepEqual(file.header.calibration, { file: calib, encoding: 'bytes', tokens: 500, samples: 6, seqlen: 32, seed: 4 });
  for (const e of file.header.entries) {
    assert.equal(e.count, 6 * 32);
    const a = file.arrays.get(e.tensor)!;
    assert.equal(a.entropy.length, e.channels);
    a.rms.forEach((v, k) => assert.ok(v > 0 && v <= Math.max(-a.min[k]!, a.max[k]!)));
  }
});

test('merino stats without --out prints a summary; errors exit 1 on one line', async () => {
  const model = await writeFixture(dir, 'minimal');
  const r = merino('stats', model, '--calib', calib, '--samples', '2', '--seqlen', '16');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^2 windows × 16 tokens, 256 bins/);
  assert.match(r.stdout, /K=64 {2}entropy \d\.\d{3} nats {2}rms/);
  for (const [args, pattern] of [
    [['stats', model, '--calib', calib], /does not say its context length.*--seqlen/],
    [['stats', model, '--calib', calib, '--seqlen', '600'], /calib\.txt: 500 tokens, shorter than one window of 600/],
    [['stats', model, '--seqlen', '8'], /missing --calib/],
    [['stats', model, '--calib', calib, '--seqlen', '8', '--bins', '0'], /--bins must be an integer/],
  ] as [string[], RegExp][]) {
    const e = merino(...args);
    assert.equal(e.code, 1, args.join(' '));
    assert.match(e.stderr, pattern);
    assert.equal(e.stderr.trim().split('\n').length, 1, e.stderr);
  }
});
