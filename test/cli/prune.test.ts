import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { merino } from './run-cli';
import { buildEdgeCaseModel, writeFixture, writeModel } from '../fixtures/build-fixtures';

const CALIB = join(__dirname, '../../demo/calib.txt');

const dir = mkdtempSync(join(tmpdir(), 'merino-cli-prune-'));
const small = ['--calib', CALIB, '--samples', '4', '--seqlen', '32'];

test('merino prune writes MODEL.2of4.esparse.onnx and its report next to the model', async () => {
  const model = await writeFixture(dir, 'basic');
  const r = merino('prune', model, '--pattern', '2:4', '--method', 'esparse', ...small, '--eval', CALIB, '--max-windows', '2');
  assert.equal(r.code, 0, r.stderr);
  const out = join(dir, 'basic.2of4.esparse.onnx');
  assert.match(r.stdout, /pruned 14 of 14 layers with esparse \(2:4, shuffle both\)/);
  assert.match(r.stdout, /perplexity \d+\.\d+ → \d+\.\d+ \(2 windows of 32\)/);
  assert.ok(r.stdout.includes(`model:  ${out}`));
  const report = JSON.parse(readFileSync(join(dir, 'basic.2of4.esparse.report.json'), 'utf8'));
  assert.equal(report.format, 'merino-prune-report');
  assert.equal(report.options.pattern, '2:4');
  assert.equal(report.calibration.samples, 4);
  assert.equal(report.layers.length, 14);
  assert.ok(report.perplexity.after > 0 && Number.isFinite(report.perplexity.after));
  for (const key of ['load', 'calibration', 'scoring', 'shuffle', 'write', 'evaluation', 'total']) assert.equal(typeof report.stages[key], 'number');
  assert.match(r.stderr, /calibrating 4\/4/);
});

test('merino prune --dry-run lists layers, compliance and N:M storage without calibrating', async () => {
  const model = await writeFixture(dir, 'gemm');
  const r = merino('prune', model, '--dry-run', '--pattern', '4:8');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\/model\/layers\.0\/mlp\/up_proj\/Gemm\s+64×128\s+NK\s+FLOAT\s+0\.0%\s+no/);
  assert.match(r.stdout, /14 layers at 4:8: .* dense → .* compressed \(54\.7%\)/);
  const json = JSON.parse(merino('prune', model, '--dry-run', '--json').stdout);
  assert.equal(json.layers[0].denseBytes, 64 * 64 * 4);
  assert.equal(json.layers[0].compressedBytes, 64 * 32 * 4 + (64 * 32 * 2) / 8);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('gemm.')), ['gemm.onnx']);
});

test('merino prune rejects bad input with one clear line and writes nothing', async () => {
  const model = await writeFixture(dir, 'minimal');
  writeFileSync(join(dir, 'short.txt'), 'too short');
  const edge = await writeModel(buildEdgeCaseModel(), join(dir, 'edge.onnx'));
  const cases: [string[], RegExp][] = [
    [['--pattern', '5:4'], /invalid pattern "5:4"/],
    [['--pattern', '0:4'], /invalid pattern "0:4"/],
    [['--pattern', '2:0'], /invalid pattern "2:0"/],
    [['--pattern', 'abc'], /invalid pattern "abc"/],
    [['--sparsity', '1.5'], /sparsity/],
    [['--sparsity', '0'], /sparsity/],
    [['--method', 'obs'], /unknown method "obs"/],
    [['--method', 'wanda'], /wanda needs calibration data.*--calib/],
    [['--method', 'wanda', '--calib', join(dir, 'short.txt'), '--seqlen', '32'], /short\.txt: 9 tokens, shorter than one window of 32/],
    [['--method', 'magnitude', '--out', join(dir, 'no-such-folder', 'x.onnx')], /cannot write .*no-such-folder.*its folder does not exist/],
    [['--method', 'magnitude', '--out', '/proc/x.onnx'], /cannot write \/proc\/x\.onnx/],
  ];
  for (const [args, pattern] of cases) {
    const r = merino('prune', model, ...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').at(-1)!.startsWith('merino prune:'), true, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const none = merino('prune', edge, '--method', 'magnitude');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /edge\.onnx: (no layer is selected|the model has no prunable linear layers)/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('minimal.') || f.startsWith('edge.')).sort(), ['edge.onnx', 'minimal.onnx']);
});

test('merino compare prints one row per method and the mask overlap', async () => {
  const model = await writeFixture(dir, 'tokenTypes');
  const r = merino('compare', model, ...small, '--eval', CALIB, '--max-windows', '2', '--pattern', '2:4', '--methods', 'esparse,wanda,magnitude,esparse/none', '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.deepEqual(result.rows.map((x: { label: string }) => x.label), ['esparse', 'wanda', 'magnitude', 'esparse/none']);
  for (const row of result.rows) assert.ok(Number.isFinite(row.ppl) && row.sparsity === 0.5);
  for (let i = 0; i < 4; i++) assert.equal(result.overlap[i][i], 1);
  assert.ok(result.overlap[1][2] < 1, 'wanda and magnitude masks are identical');
  assert.equal(result.calibration.samples, 4);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('tokenTypes.')), ['tokenTypes.onnx']);
  const table = merino('compare', model, ...small, '--eval', CALIB, '--max-windows', '2', '--methods', 'wanda,magnitude');
  assert.match(table.stdout, /dense\s+\d+\.\d{3}/);
  assert.match(table.stdout, /2:4\s+wanda\s+\d+\.\d{3}\s+[+-]\d+\.\d%/);
  assert.match(table.stdout, /mask overlap at 2:4/);
});
