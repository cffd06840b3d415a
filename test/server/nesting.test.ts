// The linear pre-parse nesting check that keeps recursive parsers away from deep documents.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findExcessNesting } from '../../src/server/nesting';
import { readServerSettings } from '../../src/server/settings';

test('findExcessNesting returns the offset of the first bracket beyond the limit', () => {
  assert.equal(findExcessNesting('{"a":[1,{"b":2}]}', 3), -1);
  assert.equal(findExcessNesting('{"a":[1,{"b":2}]}', 2), 8);
  assert.equal(findExcessNesting('[[[]]] [[[]]]', 3), -1);
  assert.equal(findExcessNesting('[[[[', 3), 3);
});

test('brackets in strings (with escaped quotes) and comments are ignored', () => {
  assert.equal(findExcessNesting('{"s": "[[[[\\"[[[[", "t": 1}', 1), -1);
  assert.equal(findExcessNesting('{ // [[[[\n "a": 1 /* {{{{ */ }', 1), -1);
  assert.equal(findExcessNesting('{"s": "unterminated [[[[\n [[', 2), 27); // an unterminated string ends at the line end
});

test('stray closing brackets never make depth negative', () => {
  assert.equal(findExcessNesting(']]]]}}}}[[', 1), 9);
});

test('initialization options are validated: out of range or wrong type falls back to the default', () => {
  assert.deepEqual(readServerSettings({ debounceMs: 0, maxAnalysisChars: 4096, maxNestingDepth: 20 }), { debounceMs: 0, maxAnalysisChars: 4096, maxNestingDepth: 20 });
  assert.deepEqual(readServerSettings({ debounceMs: -1, maxAnalysisChars: '1M', maxNestingDepth: 1e9 }), readServerSettings(undefined));
  assert.deepEqual(readServerSettings(null), { debounceMs: 150, maxAnalysisChars: 1024 * 1024, maxNestingDepth: 64 });
});
