import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consecutiveWindows, sampleWindows, windowBatch } from '../../../src/core/calib/sampling';
import { createPrng } from '../../../src/core/calib/prng';

const stream = Int32Array.from({ length: 1000 }, (_, i) => i);

/** Each window must be a run of consecutive ids (the stream is 0..999); returns the start offsets. */
function starts(w: { tokens: Int32Array; samples: number; seqlen: number }): number[] {
  return Array.from({ length: w.samples }, (_, s) => {
    const win = windowBatch(w, s, 1);
    win.forEach((v, i) => assert.equal(v, win[0]! + i));
    return win[0]!;
  });
}

test('sampling is deterministic for a seed and differs across seeds', () => {
  const a = starts(sampleWindows(stream, 64, 32, 7, 'calib.txt'));
  assert.deepEqual(starts(sampleWindows(stream, 64, 32, 7, 'calib.txt')), a);
  assert.notDeepEqual(starts(sampleWindows(stream, 64, 32, 8, 'calib.txt')), a);
  assert.ok(a.every((o) => o >= 0 && o <= 1000 - 32));
  assert.ok(new Set(a).size > 50, 'offsets are spread');
});

test('offsets cover the whole range including the last window', () => {
  const o = starts(sampleWindows(stream.subarray(0, 12), 200, 10, 1, 'calib.txt'));
  assert.deepEqual([...new Set(o)].sort(), [0, 1, 2]);
});

test('the PRNG is uniform enough: mean near 1/2, values in [0, 1)', () => {
  const rand = createPrng(123);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const v = rand();
    assert.ok(v >= 0 && v < 1);
    sum += v;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
});

test('a stream shorter than one window is an error naming the file and the length', () => {
  assert.throws(() => sampleWindows(stream.subarray(0, 31), 4, 32, 0, 'short.txt'), /short\.txt: 31 tokens, shorter than one window of 32.*at least 32 tokens/);
  assert.throws(() => consecutiveWindows(new Int32Array(0), 8, 'empty.txt'), /empty\.txt: no tokens/);
});

test('perplexity windows are consecutive, drop the partial tail, and honour maxWindows', () => {
  const w = consecutiveWindows(stream.subarray(0, 100), 30, 'eval.txt');
  assert.equal(w.samples, 3);
  assert.deepEqual(starts(w), [0, 30, 60]);
  assert.equal(consecutiveWindows(stream, 30, 'eval.txt', 2).samples, 2);
});
