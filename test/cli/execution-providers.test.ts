import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { merino } from './run-cli';
import { writeFixture } from '../fixtures/build-fixtures';
import { seededRandom } from '../fixtures/onnx-builder';

const dir = mkdtempSync(join(tmpdir(), 'merino-cli-ep-'));
const rand = seededRandom(11);
const textPath = join(dir, 'text.txt');
writeFileSync(textPath, Uint8Array.from({ length: 400 }, () => 97 + Math.floor(rand() * 26)));

test('--execution-providers cpu runs the model as the default does', async () => {
  const model = await writeFixture(dir, 'basic');
  const base = merino('eval', model, '--text', textPath, '--seqlen', '64', '--json');
  const cpu = merino('eval', model, '--text', textPath, '--seqlen', '64', '--json', '--execution-providers', 'cpu');
  assert.equal(cpu.code, 0, cpu.stderr);
  assert.equal(JSON.parse(cpu.stdout).ppl, JSON.parse(base.stdout).ppl);
  const pruned = merino('prune', model, '--method', 'magnitude', '--eval', textPath, '--seqlen', '64', '--out', join(dir, 'cpu.onnx'), '--json', '--execution-providers', 'cpu');
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.ok(JSON.parse(pruned.stdout).perplexity.after > 0);
});

test('an unknown execution provider fails every model-running command with one clear line, exit 1', async () => {
  const model = await writeFixture(dir, 'basic');
  const runs = [
    ['eval', model, '--text', textPath, '--seqlen', '64'],
    ['stats', model, '--calib', textPath, '--seqlen', '64', '--samples', '2'],
    ['prune', model, '--method', 'wanda', '--calib', textPath, '--seqlen', '64', '--samples', '2', '--out', join(dir, 'never.onnx')],
    ['compare', model, '--methods', 'magnitude,wanda', '--calib', textPath, '--eval', textPath, '--seqlen', '64', '--samples', '2'],
  ];
  for (const args of runs) {
    const r = merino(...args, '--execution-providers', 'nosuch');
    assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${args[0]} printed ${r.stderr}`);
    assert.match(lines[0]!, /cannot use execution providers nosuch for .*basic.*\.onnx.*--execution-providers cpu/);
  }
  assert.ok(!readdirSync(dir).some((f) => f.startsWith('never')), 'a failed prune left a file');
  assert.match(merino('eval', model, '--text', textPath, '--seqlen', '64', '--execution-providers', ' , ').stderr, /--execution-providers is empty/);
});
