import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MerinoConfig } from '../../../src/core/config/merino-config';
import { parseMerinoText } from '../../../src/core/config/merino-document';
import { CancelledError } from '../../../src/core/errors';
import type { Progress } from '../../../src/core/progress';
import { archKey } from '../../../src/core/merino/architecture';
import { countFlops, countParams } from '../../../src/core/merino/cost-model';
import { DEVICE_PRESETS } from '../../../src/core/merino/device-profile';
import { effectiveness } from '../../../src/core/merino/entropy-model';
import { searchArchitectures } from '../../../src/core/merino/evolutionary-search';
import { dominates } from '../../../src/core/merino/pareto';
import { Rng } from '../../../src/core/merino/rng';
import { rooflineLatency } from '../../../src/core/merino/roofline';
import { outsideSpace, spaceExtremes } from '../../../src/core/merino/search-space';

const iot = parseMerinoText(readFileSync(join(__dirname, '../../../examples/iot-raspberry-pi-4.merino.json'), 'utf8')).config;
const small = (c: MerinoConfig, iterations = 3000): MerinoConfig => ({ ...c, search: { ...c.search, population: 48, iterations } });

test('the same seed gives the same results; another seed explores differently', async () => {
  const a = await searchArchitectures(small(iot), { seed: 3 });
  const b = await searchArchitectures(small(iot), { seed: 3 });
  const c = await searchArchitectures(small(iot), { seed: 4 });
  assert.deepEqual(a.top.map((t) => archKey(t.arch)), b.top.map((t) => archKey(t.arch)));
  assert.deepEqual(a.pareto.map((t) => archKey(t.arch)), b.pareto.map((t) => archKey(t.arch)));
  assert.notDeepEqual(a.top.map((t) => archKey(t.arch)), c.top.map((t) => archKey(t.arch)));
});

test('results are sorted by entropy, feasible, and the Pareto front is non-dominated', async () => {
  const r = await searchArchitectures(small(iot));
  assert.equal(r.top.length, iot.search.topK);
  for (let i = 1; i < r.top.length; i++) assert.ok(r.top[i - 1].estimate.entropy >= r.top[i].estimate.entropy);
  for (const p of r.pareto) for (const q of r.pareto) assert.ok(!dominates(p.estimate, q.estimate));
  // The best entropy found beats the smallest architecture of the space by far.
  assert.ok(r.top[0].estimate.params > 0.9 * iot.budget.params!, `best uses ${r.top[0].estimate.params} params`);
});

test('progress is reported and cancellation stops the search', async () => {
  const seen: Progress[] = [];
  const controller = new AbortController();
  const job = searchArchitectures({ ...iot, search: { ...iot.search, iterations: 1e7, patience: 1e7 } }, {
    signal: controller.signal,
    onProgress: (p) => {
      seen.push(p);
      if (seen.length === 3) controller.abort();
    },
  });
  await assert.rejects(job, CancelledError);
  assert.equal(seen.length, 3);
  assert.match(seen[0].detail!, /best H=/);
});

/** A random design whose budgets lie between its smallest and largest architecture's figures. */
function randomConfig(rng: Rng): MerinoConfig | undefined {
  const model = {
    vocabSize: rng.int(500, 40000), context: rng.pick([64, 128, 256, 512]), tiedEmbeddings: rng.next() < 0.5,
    norm: rng.pick(['layernorm', 'rmsnorm'] as const), mlp: rng.pick(['gelu', 'relu', 'swiglu'] as const), biases: rng.next() < 0.5,
    positions: rng.pick(['learned', 'rope', 'none'] as const), positionOffset: rng.int(0, 2), finalNorm: rng.next() < 0.5,
  };
  const wMin = rng.pick([64, 128, 256]);
  const searchSpace = {
    blocks: { min: 1, max: rng.int(1, 4) }, layersPerBlock: { min: rng.int(1, 2), max: rng.int(2, 8) },
    width: { min: wMin, max: wMin * rng.int(2, 6), multiple: rng.pick([16, 32, 64]) },
    headDim: { min: 16, max: rng.pick([64, 128]), multiple: 8 },
    heads: [...new Set([rng.pick([1, 2, 4]), rng.pick([4, 8]), rng.pick([8, 12, 16])])],
    ffnRatios: [...new Set([rng.pick([1, 2]), rng.pick([3, 4])])], sharing: rng.next() < 0.5,
  };
  const ext = spaceExtremes(searchSpace);
  if (!ext) return undefined;
  const device = rng.pick(Object.keys(DEVICE_PRESETS));
  const mix = (lo: number, hi: number) => lo + rng.next() * (hi - lo);
  const flopsSeqLen = rng.pick([32, 64]);
  const seqLen = rng.pick([16, 64]);
  const mode = rng.pick(['prefill', 'decode'] as const);
  const lat = (a: typeof ext.smallest) => rooflineLatency(a, model, DEVICE_PRESETS[device], seqLen)[mode === 'prefill' ? 'prefillMs' : 'decodeMs'];
  return {
    name: 'random', model, searchSpace, devices: {},
    budget: {
      params: mix(countParams(ext.smallest, model), countParams(ext.largest, model)),
      flops: mix(countFlops(ext.smallest, model, flopsSeqLen), countFlops(ext.largest, model, flopsSeqLen)),
      flopsSeqLen,
      latency: { device, ms: mix(lat(ext.smallest), lat(ext.largest)), mode, seqLen },
    },
    entropy: { weights: { attn: 1, ffn: rng.pick([0.5, 1]) }, beta: rng.pick([1 / 8, 1 / 16, 1 / 32]) },
    search: { population: 24, iterations: 600, patience: 600, seed: rng.int(0, 1000), topK: 5 },
  };
}

test('property: every returned architecture satisfies every budget, β and the search space (random designs)', async () => {
  const rng = new Rng(2024);
  let searched = 0;
  for (let i = 0; i < 60; i++) {
    const c = randomConfig(rng);
    if (!c) continue;
    let r;
    try {
      r = await searchArchitectures(c);
    } catch (e) {
      assert.match((e as Error).message, /no architecture/); // budgets drawn below what β allows
      continue;
    }
    searched++;
    for (const cand of [...r.top, ...r.pareto]) {
      const a = cand.arch;
      const l = c.budget.latency!;
      const lat = rooflineLatency(a, c.model, DEVICE_PRESETS[l.device], l.seqLen);
      assert.ok(countParams(a, c.model) <= c.budget.params!, 'params');
      assert.ok(countFlops(a, c.model, c.budget.flopsSeqLen) <= c.budget.flops!, 'flops');
      assert.ok((l.mode === 'prefill' ? lat.prefillMs : lat.decodeMs) <= l.ms, 'latency');
      assert.ok(effectiveness(a) <= c.entropy.beta, 'rho');
      assert.equal(outsideSpace(a, c.searchSpace), undefined);
    }
  }
  assert.ok(searched >= 30, `only ${searched} designs were searchable`);
});

test('the documented IoT example, default settings: feasible and deterministic', async () => {
  const [a, b] = [await searchArchitectures(iot), await searchArchitectures(iot)];
  assert.deepEqual(a.top.map((t) => archKey(t.arch)), b.top.map((t) => archKey(t.arch)));
  assert.equal(a.top.length, 10);
  const l = iot.budget.latency!;
  for (const c of a.top) {
    assert.ok(countParams(c.arch, iot.model) <= 64e6);
    assert.ok(countFlops(c.arch, iot.model, 128) <= 20e9);
    assert.ok(rooflineLatency(c.arch, iot.model, DEVICE_PRESETS[l.device], l.seqLen).decodeMs <= 40);
    assert.ok(effectiveness(c.arch) <= 1 / 16);
    assert.equal(outsideSpace(c.arch, iot.searchSpace), undefined);
  }
});

test('another entropy model plugs in through the EntropyModel interface', async () => {
  // A "model" that values total width only: the search should then prefer wide, shallow networks.
  const widest = { name: 'total-width', entropy: (a: { blocks: { width: number; layers: number }[] }) => a.blocks.reduce((s, b) => s + b.width * b.layers, 0) };
  const r = await searchArchitectures(small(iot), { entropyModel: widest });
  assert.equal(r.entropyModel, 'total-width');
  for (const c of r.top) assert.equal(c.estimate.entropy, widest.entropy(c.arch));
  const d = await searchArchitectures(small(iot));
  const meanWidth = (x: typeof r) => x.top[0].arch.blocks.reduce((s, b) => s + b.width, 0) / x.top[0].arch.blocks.length;
  assert.ok(meanWidth(r) > meanWidth(d), `${meanWidth(r)} vs ${meanWidth(d)}`);
});
