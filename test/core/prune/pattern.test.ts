import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../../src/core/errors';
import { denseReason, formatPattern, parsePattern, parseSparsity } from '../../../src/core/prune/pattern';

test('parses N:M patterns', () => {
  assert.deepEqual(parsePattern('2:4'), { n: 2, m: 4 });
  assert.deepEqual(parsePattern(' 4:8 '), { n: 4, m: 8 });
  assert.deepEqual(parsePattern('1:16'), { n: 1, m: 16 });
  assert.deepEqual(parsePattern('15:16'), { n: 15, m: 16 });
  assert.equal(formatPattern(parsePattern('4/8')), '4:8');
});

test('bad patterns say what is wrong and how to fix it', () => {
  const cases: [string, RegExp][] = [
    ['5:4', /"5:4": N must be smaller than M/],
    ['4:4', /N must be smaller than M/],
    ['0:4', /"0:4": N must be at least 1/],
    ['2:0', /"2:0": M must be at least 2/],
    ['abc', /"abc": expected N:M/],
    ['2:17', /"2:17": M must be at most 16/],
    ['-1:4', /expected N:M/],
    ['2.5:4', /expected N:M/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parsePattern(text), (e: unknown) => e instanceof UserError && message.test(e.message) && /--pattern 2:4/.test(e.message), text);
  }
});

test('sparsity must lie strictly between 0 and 1', () => {
  assert.equal(parseSparsity('0.5'), 0.5);
  assert.equal(parseSparsity(0.25), 0.25);
  for (const bad of ['0', '1', '1.5', '-0.1', '', 'half', 'NaN']) {
    assert.throws(() => parseSparsity(bad), /strictly between 0 and 1.*--sparsity 0\.5/, bad);
  }
});

test('a K that is not a multiple of M is a reason to stay dense', () => {
  assert.equal(denseReason(768, { n: 2, m: 4 }), undefined);
  assert.equal(denseReason(6, { n: 2, m: 4 }), 'K=6 is not a multiple of M=4');
});
