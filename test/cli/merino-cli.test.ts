import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { main } from '../../src/cli/main';
import { parseMerinoText } from '../../src/core/config/merino-document';
import type { Arch } from '../../src/core/merino/architecture';
import { countFlops, countParams } from '../../src/core/merino/cost-model';
import { findDevice } from '../../src/core/merino/device-profile';
import { effectiveness } from '../../src/core/merino/entropy-model';
import type { ResultsFile } from '../../src/core/merino/results-file';
import { rooflineLatency } from '../../src/core/merino/roofline';
import { outsideSpace } from '../../src/core/merino/search-space';

const examples = join(__dirname, '../../examples');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), isTTY: false, signal: new AbortController().signal });
  return { code, out, err };
}

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'merino-cli-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A small design that searches in well under a second. */
const tinyDesign = {
  name: 'tiny',
  model: { vocabSize: 512, context: 64, tiedEmbeddings: true, norm: 'layernorm', mlp: 'gelu', biases: true, positions: 'learned' },
  budget: { params: '600K', flops: '60M', flopsSeqLen: 32, latency: { device: 'raspberry-pi-3b', ms: 2, mode: 'decode', seqLen: 32 } },
  searchSpace: { blocks: { min: 1, max: 3 }, layersPerBlock: { min: 1, max: 4 }, width: { min: 64, max: 192, multiple: 32 }, headDim: { min: 16, max: 64, multiple: 8 }, heads: [2, 4], ffnRatios: [2, 4] },
  entropy: { beta: 0.0625 },
  search: { population: 32, iterations: 3000, patience: 3000, seed: 1, topK: 5 },
};

test('merino check prints file:line:col diagnostics and fails on errors', async () => {
  await inTemp(async (dir) => {
    const file = join(dir, 'bad.merino.json');
    await writeFile(file, '{\n  "model": { "context": 0 },\n  "budget": { "latency": { "device": "pi4", "ms": 5 } }\n}\n');
    const r = await cli('check', file);
    assert.equal(r.code, 1);
    const lines = r.out.trim().split('\n');
    assert.ok(lines.includes(`${file}:2:25: error: Value is below the minimum of 1. [schema]`), r.out);
    assert.ok(lines.some((l) => l.startsWith(`${file}:3:38: error: Unknown device "pi4"`) && l.endsWith('[unknown-device]')), r.out);
  });
  const ok = await cli('check', join(examples, 'iot-raspberry-pi-4.merino.json'), join(examples, 'llama-7b.merino.json'));
  assert.equal(ok.code, 0);
  assert.equal(ok.out, '');
});

test('merino check on a missing file is a one-line user error', async () => {
  const r = await cli('check', '/nonexistent/x.merino.json');
  assert.equal(r.code, 1);
  assert.match(r.err, /x\.merino\.json: no such file/);
});

test('merino estimate --json gives the cost model\'s figures for arch', async () => {
  const r = await cli('estimate', join(examples, 'llama-7b.merino.json'), '--json');
  assert.equal(r.code, 0);
  const [fig] = JSON.parse(r.out);
  assert.equal(fig.params, 6738415616);
  assert.equal(fig.feasible, true);
  assert.ok(fig.latency.decodeMs > 0);
  const table = await cli('estimate', join(examples, 'opt-125m.merino.json'));
  assert.match(table.out, /125\.2M \(125239296\)/);
});

test('merino search writes the results file atomically, feasible and deterministic; export hf and onnx', async () => {
  await inTemp(async (dir) => {
    const file = join(dir, 'tiny.merino.json');
    await writeFile(file, JSON.stringify(tinyDesign, null, 2));
    const r = await cli('search', file, '--seed', '7', '--measure', '2');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /rank 2 measured on this machine: prefill 32 tokens [0-9.]+ ms, decode [0-9.]+ ms/);
    assert.match(r.out, /^rank\s+entropy/);
    const resultsPath = join(dir, 'tiny.merino.results.json');
    const results: ResultsFile = JSON.parse(await readFile(resultsPath, 'utf8'));
    assert.deepEqual((await readdir(dir)).sort(), ['tiny.merino.json', 'tiny.merino.results.json']);
    assert.equal(results.seed, 7);
    assert.equal(results.latencyDevice?.name, 'raspberry-pi-3b');
    assert.equal(results.top.length, 5);
    assert.ok(results.pareto.length >= 1);
    assert.match(results.configHash, /^[0-9a-f]{64}$/);
    const config = parseMerinoText(JSON.stringify(tinyDesign)).config;
    for (const e of [...results.top, ...results.pareto]) {
      const arch: Arch = { blocks: e.arch.blocks };
      assert.equal(e.params, countParams(arch, config.model));
      assert.ok(e.params <= 600e3 && countFlops(arch, config.model, 32) <= 60e6);
      assert.ok(rooflineLatency(arch, config.model, findDevice('raspberry-pi-3b')!, 32).decodeMs <= 2);
      assert.ok(effectiveness(arch) <= 0.0625);
      assert.equal(outsideSpace(arch, config.searchSpace), undefined);
    }
    const again = await cli('search', file, '--seed', '7', '--json', '--out', join(dir, 'again.json'));
    const second: ResultsFile = JSON.parse(again.out);
    assert.ok(results.top[0].measured!.prefillMs > 0 && results.top[1].measured!.decodeMs! > 0 && !results.top[2].measured);
    assert.deepEqual(second.top, results.top.map(({ measured: _m, ...rest }) => rest));
    assert.equal(second.configHash, results.configHash);

    const hf = await cli('export', resultsPath, '--rank', '2', '--format', 'hf', '--out', join(dir, 'hf'));
    assert.equal(hf.code, 0, hf.err);
    const cfg = JSON.parse(await readFile(join(dir, 'hf', 'config.json'), 'utf8'));
    assert.equal(cfg.vocab_size, 512);
    assert.equal(cfg.merino.params, results.top[1].params);

    const onnx = await cli('export', resultsPath, '--rank', '1', '--format', 'onnx', '--out', join(dir, 'onnx'), '--measure', '--threads', '1', '--execution-providers', 'cpu');
    assert.equal(onnx.code, 0, onnx.err);
    assert.match(onnx.out, /measured on this machine \(onnxruntime-node cpu, median of \d+\): prefill 32 tokens [0-9.]+ ms, decode 1 token/);
    const broken = { ...results, top: [{ ...results.top[0], arch: { blocks: [{ layers: -1, width: 'wide', heads: 4 }] } }] };
    await writeFile(join(dir, 'broken.merino.results.json'), JSON.stringify(broken));
    const refused = await cli('export', join(dir, 'broken.merino.results.json'), '--format', 'onnx', '--out', join(dir, 'x'));
    assert.equal(refused.code, 1);
    assert.match(refused.err, /result 1 has an invalid arch/);
    const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
    assert.equal(session.inputNames[0], 'input_ids');
    assert.equal(session.outputNames[0], 'logits');
    await session.release();
  });
});

test('merino search refuses a design with errors, quoting the first', async () => {
  await inTemp(async (dir) => {
    const file = join(dir, 'x.merino.json');
    await writeFile(file, JSON.stringify({ ...tinyDesign, budget: { ...tinyDesign.budget, params: '10K' } }));
    const r = await cli('search', file);
    assert.equal(r.code, 1);
    assert.match(r.err, /error: Infeasible: .*parameters.*\[budget-infeasible\]/);
  });
});

test('merino export of a design file uses its arch; bad rank and format are user errors', async () => {
  await inTemp(async (dir) => {
    const r = await cli('export', join(examples, 'gpt2-small.merino.json'), '--format', 'hf', '--out', dir);
    assert.equal(r.code, 0, r.err);
    const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    // Hugging Face gpt2's config.json values.
    assert.deepEqual([cfg.model_type, cfg.n_embd, cfg.n_layer, cfg.n_head, cfg.n_positions, cfg.vocab_size], ['gpt2', 768, 12, 12, 1024, 50257]);
    assert.match((await cli('export', join(examples, 'gpt2-small.merino.json'), '--format', 'tflite', '--out', dir)).err, /--format must be hf or onnx/);
    assert.match((await cli('export', join(examples, 'iot-raspberry-pi-4.merino.json'), '--format', 'hf', '--out', dir)).err, /has no "arch"/);
  });
});
