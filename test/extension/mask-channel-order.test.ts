// The mask view's channel order and overlap (src/worker/mask-*.ts) on models pruned by the real engine:
// tiny-llama pruned 2:4 with E-Sparse (shuffle both: Gathers on q/k/v/o inputs, folds into gate/up) and Wanda.
import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findLinearLayers, type LinearLayer } from '../../src/core/onnx/linear-layers';
import { loadModel } from '../../src/core/onnx/model-file';
import { calibrate } from '../../src/core/pipeline/calibration';
import { selectLayers } from '../../src/core/pipeline/layer-selection';
import type { PruneReport } from '../../src/core/pipeline/prune-model';
import { pruneModel } from '../../src/core/pipeline/prune-model';
import { methodDefaults, type MethodOptions } from '../../src/core/pipeline/prune-options';
import { planPruning } from '../../src/core/pipeline/prune-plan';
import { parsePattern } from '../../src/core/prune/pattern';
import type { MaskJob, MaskResult } from '../../src/protocol/job-messages';
import { channelOrderFromReport, reorderMask } from '../../src/worker/mask-channel-order';
import { runMaskJob } from '../../src/worker/mask-job';
import { tempDir } from '../fixtures/ort-run';

const root = join(__dirname, '../..');
const BASE = join(root, 'test/fixtures/models/tiny-llama.onnx');
const calibration = { calib: join(root, 'demo/calib.txt'), samples: 4, seqlen: 32, seed: 3, bins: 64 };
const pattern = parsePattern('2:4');
const esparse = methodDefaults('esparse', { pattern, shuffle: 'both' });
const wanda = methodDefaults('wanda', { pattern });

let dir = '';
let cleanup = async () => {};
const files = { esparse: '', wanda: '' };
/** The engine's kept masks (stored layout, original channel order) per method and layer. */
const kept = { esparse: new Map<string, Uint8Array>(), wanda: new Map<string, Uint8Array>() };
let layers: LinearLayer[] = [];

before(async () => {
  ({ dir, cleanup } = await tempDir('merino-masks-'));
  files.esparse = join(dir, 'tiny-llama.2of4.esparse.onnx');
  files.wanda = join(dir, 'tiny-llama.2of4.wanda.onnx');
  await pruneModel(BASE, { method: esparse, calibration, out: files.esparse });
  await pruneModel(BASE, { method: wanda, calibration, out: files.wanda });
  const model = await loadModel(BASE);
  const scan = findLinearLayers(model);
  const selection = selectLayers(scan, {}, model.path);
  layers = selection.layers;
  const stats = await calibrate(model, selection, { ...calibration, needHistograms: true });
  const plan = (m: MethodOptions) => planPruning(model, scan, selection, stats.stats.stats, m, { keepMasks: true });
  kept.esparse = (await plan(esparse)).keptMasks!;
  kept.wanda = (await plan(wanda)).keptMasks!;
});
after(() => cleanup());

const mask = (job: Omit<MaskJob, 'kind'>) => runMaskJob({ kind: 'masks', ...job }, new AbortController().signal, () => {});
const bitAt = (bits: Uint8Array, i: number) => (bits[i >> 3]! >> (i & 7)) & 1;
/** The engine's mask (stored layout [K,N] or [N,K]) at output n, channel k. */
const engineAt = (m: Uint8Array, l: LinearLayer, n: number, k: number) => m[l.layout === 'KN' ? k * l.N + n : n * l.K + k]!;

test('the original-order mask of every layer equals the engine’s kept mask in the original channel order', async () => {
  let permutedK = 0;
  let permutedN = 0;
  for (const l of layers) {
    const r = await mask({ model: files.esparse, layer: l.name, order: 'original' });
    assert.equal(r.order, 'original');
    assert.ok(r.channels.report, r.channels.note);
    if (r.channels.k) permutedK++;
    if (r.channels.n) permutedN++;
    let mismatches = 0;
    for (let n = 0; n < l.N; n++) for (let k = 0; k < l.K; k++) if (bitAt(r.bits, n * l.K + k) !== engineAt(kept.esparse.get(l.name)!, l, n, k)) mismatches++;
    assert.equal(mismatches, 0, `${l.name}: ${mismatches} positions differ (${r.channels.note})`);
  }
  // The fixture must exercise both axes: Gathers on K and folds into the MLP producers' output units.
  assert.ok(permutedK >= 4, `only ${permutedK} layers have a K permutation`);
  assert.ok(permutedN >= 2, `only ${permutedN} layers have an N permutation (fold)`);
});

test('a shuffled layer’s stored mask is N:M along K and differs from its original-order mask', async () => {
  const l = layers[0]!;
  const stored = await mask({ model: files.esparse, layer: l.name });
  const original = await mask({ model: files.esparse, layer: l.name, order: 'original' });
  assert.ok(stored.channels.k, stored.channels.note);
  assert.equal(stored.order, 'stored');
  assert.notDeepEqual(stored.bits, original.bits);
  for (let n = 0; n < l.N; n++) {
    for (let g = 0; g < l.K; g += 4) {
      let on = 0;
      for (let k = g; k < g + 4; k++) on += bitAt(stored.bits, n * l.K + k);
      assert.ok(on <= 2, `stored group ${g} of row ${n} keeps ${on}`);
    }
  }
  assert.deepEqual(reorderMask(original.bits, l.K, l.N, stored.channels, 'stored'), stored.bits);
});

test('the overlap with another method equals a plain count of the engine’s masks, in either display order', async () => {
  for (const l of [layers[0]!, layers.find((x) => x.name.includes('gate'))!, layers.find((x) => x.name.includes('down'))!]) {
    let both = 0;
    let inA = 0;
    for (let n = 0; n < l.N; n++) {
      for (let k = 0; k < l.K; k++) {
        const a = engineAt(kept.esparse.get(l.name)!, l, n, k);
        inA += a;
        both += a & engineAt(kept.wanda.get(l.name)!, l, n, k);
      }
    }
    for (const order of ['original', 'stored'] as const) {
      const r: MaskResult = await mask({ model: files.esparse, layer: l.name, order, compareWith: files.wanda });
      const c = r.compare!;
      assert.equal(c.error, undefined);
      assert.equal(c.counts!.both, both, `${l.name} (${order})`);
      assert.equal(c.counts!.both + c.counts!.onlyA, inA);
      assert.equal(c.counts!.both + c.counts!.onlyA + c.counts!.onlyB + c.counts!.neither, l.K * l.N);
      assert.equal(c.overlap, both / inA);
      assert.ok(c.overlap! > 0.3 && c.overlap! < 1, `overlap ${c.overlap}`);
      // B's bits are drawn in the same order as A's: kept-in-both counted from the two bitmaps agrees.
      let drawnBoth = 0;
      for (let i = 0; i < l.K * l.N; i++) drawnBoth += bitAt(r.bits, i) & bitAt(c.bits!, i);
      assert.equal(drawnBoth, both);
    }
  }
});

test('a model without a report is compared in stored order and says so; bad partners are reported, not thrown', async () => {
  const bare = join(dir, 'copy-without-report.onnx');
  await copyFile(files.esparse, bare);
  const l = layers[0]!;
  const r = await mask({ model: files.wanda, layer: l.name, compareWith: bare, order: 'original' });
  assert.equal(r.compare!.channels!.report, null);
  assert.match(r.compare!.channels!.note, /no prune report/);
  const withReport = await mask({ model: files.wanda, layer: l.name, compareWith: files.esparse, order: 'original' });
  assert.ok(withReport.compare!.overlap! > r.compare!.overlap!, 'undoing the shuffle should align the masks better than ignoring it');

  const missing = await mask({ model: files.esparse, layer: l.name, compareWith: join(dir, 'missing.onnx') });
  assert.match(missing.compare!.error!, /missing\.onnx/);
  assert.ok(missing.bits.length > 0);
  const other = await mask({ model: files.esparse, layer: l.name, compareWith: join(root, 'demo/tiny-gpt.onnx') });
  assert.match(other.compare!.error!, /no prunable layer named/);
});

test('a report that does not match the model (zero counts differ) is ignored with a note', async () => {
  const file = files.esparse.replace(/\.onnx$/, '.report.json');
  const report = JSON.parse(await readFile(file, 'utf8')) as PruneReport;
  const entry = report.layers[0]!;
  const order = channelOrderFromReport(report, file, { name: entry.name, K: entry.K, N: entry.N, zeros: entry.zeros + 1 });
  assert.equal(order.report, null);
  assert.equal(order.k, undefined);
  assert.match(order.note, /another run/);
  assert.ok(channelOrderFromReport(report, file, { name: entry.name, K: entry.K, N: entry.N, zeros: entry.zeros }).k);
});
