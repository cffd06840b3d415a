import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { channelEntropy, channelRms } from '../../../src/core/stats/channel-stats';
import { collectChannelStats } from '../../../src/core/stats/collect-stats';
import { readStatsFile, writeStatsFile } from '../../../src/core/stats/stats-file';
import { fixtureModel, randomWindows } from './calibration-fixture';

test('a stats file round-trips entropy, RMS, min and max as float32 per channel', async () => {
  const result = await collectChannelStats(await fixtureModel('basic'), randomWindows(2, 8), { bins: 16 });
  const dir = mkdtempSync(join(tmpdir(), 'merino-statsfile-'));
  const out = join(dir, 'stats.json');
  writeStatsFile(out, result, { model: 'basic.onnx', calibration: { samples: 2 } });
  assert.deepEqual(readdirSync(dir).sort(), ['stats.bin', 'stats.json']);
  const channels = result.taps.reduce((n, t) => n + t.channels, 0);
  assert.equal(statSync(join(dir, 'stats.bin')).size, channels * 4 * 4);
  const file = readStatsFile(out);
  assert.equal(file.header.bins, 16);
  for (const tap of result.taps) {
    const s = result.stats.get(tap.tensor)!;
    const a = file.arrays.get(tap.tensor)!;
    assert.deepEqual(a.entropy, Float32Array.from(channelEntropy(s)));
    assert.deepEqual(a.rms, Float32Array.from(channelRms(s)));
    assert.deepEqual(a.min, Float32Array.from(s.min));
    assert.deepEqual(a.max, Float32Array.from(s.max));
    assert.ok(a.entropy.every((h) => h > 0 && h <= Math.log(16) + 1e-6));
  }
});
