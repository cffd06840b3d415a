import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

test('merino demo refuses an unknown execution provider with the one-line error before any calibration', () => {
  const r = merino('demo', '--samples', '2', '--max-windows', '1', '--execution-providers', 'nosuch');
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /cannot use execution providers nosuch for .*tiny-gpt\.onnx.*--execution-providers cpu/);
  assert.equal(r.stdout, '');
});

/** A tiny design with one fixed arch: its skeleton builds and times in well under a second. */
const tinyArchDesign = {
  name: 'tiny-arch',
  model: { vocabSize: 256, context: 64, tiedEmbeddings: true, norm: 'layernorm', mlp: 'gelu', biases: true, positions: 'learned' },
  budget: { params: '10M', latency: { device: 'raspberry-pi-3b', ms: 100, mode: 'decode', seqLen: 16 } },
  searchSpace: { blocks: { min: 1, max: 1 }, layersPerBlock: { min: 1, max: 2 }, width: { min: 64, max: 64, multiple: 64 }, headDim: { min: 16, max: 32, multiple: 16 }, heads: [2], ffnRatios: [2] },
  arch: { blocks: [{ layers: 2, width: 64, heads: 2, ffnRatio: 2 }] },
};

test('merino estimate --measure times on the execution providers given and says which', () => {
  const design = join(dir, 'tiny-arch.merino.json');
  writeFileSync(design, JSON.stringify(tinyArchDesign));
  const json = merino('estimate', design, '--measure', '--runs', '1', '--execution-providers', 'cpu', '--json');
  assert.equal(json.code, 0, json.stderr);
  const [column] = JSON.parse(json.stdout);
  assert.equal(column.measured.seqLen, 16);
  assert.ok(column.measured.prefillMs > 0 && column.measured.decodeMs > 0);
  assert.match(column.measured.note, /^onnxruntime-node, execution providers cpu, median of 1, \d{4}-\d\d-\d\d$/);
  const table = merino('estimate', design, '--measure', '--runs', '1', '--threads', '1', '--execution-providers', 'cpu');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^measured prefill ms \(this machine\)\s+[0-9.]+$/m);
  assert.match(table.stdout, /^measured: onnxruntime-node, execution providers cpu, 1 threads, median of 1$/m);

  const bad = merino('estimate', design, '--measure', '--execution-providers', 'nosuch');
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /cannot use execution providers nosuch for .*\.onnx.*--execution-providers cpu/);
  assert.equal(bad.stdout, '');
});

test('merino search --measure and export --measure use the execution providers given; an unknown one ends with one clear line', () => {
  const design = join(dir, 'tiny-arch.merino.json');
  writeFileSync(design, JSON.stringify(tinyArchDesign));
  const results = join(dir, 'tiny-arch-ep.merino.results.json');
  const search = merino('search', design, '--measure', '1', '--threads', '1', '--execution-providers', 'cpu', '--out', results);
  assert.equal(search.code, 0, search.stderr);
  const written = JSON.parse(readFileSync(results, 'utf8'));
  assert.match(written.top[0].measured.machine, /onnxruntime-node cpu$/);
  for (const args of [
    ['search', design, '--measure', '1', '--out', join(dir, 'never.json')],
    ['export', results, '--format', 'onnx', '--out', join(dir, 'export-ep'), '--measure'],
  ]) {
    const bad = merino(...args, '--execution-providers', 'nosuch');
    assert.equal(bad.code, 1, args[0]);
    // search prints its progress first; the error is the last line, and the only one about providers.
    const lines = bad.stderr.trim().split('\n');
    assert.match(lines.at(-1)!, /cannot use execution providers nosuch for .*\.onnx.*--execution-providers cpu/);
    assert.equal(lines.filter((l) => /execution provider/.test(l)).length, 1, bad.stderr);
  }
  assert.equal(readdirSync(dir).includes('never.json'), false, 'a failed search writes no results file');
});
