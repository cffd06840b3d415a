import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancelledError } from '../../../src/core/errors';
import { findLinearLayers } from '../../../src/core/onnx/linear-layers';
import { loadModel } from '../../../src/core/onnx/model-file';
import { calibrate } from '../../../src/core/pipeline/calibration';
import { selectLayers } from '../../../src/core/pipeline/layer-selection';
import { methodDefaults } from '../../../src/core/pipeline/prune-options';
import { planPruning, type PrunePlan } from '../../../src/core/pipeline/prune-plan';

const MODEL = join(__dirname, '../../fixtures/models/tiny-llama.onnx');
const CALIB = join(__dirname, '../../../demo/calib.txt');

async function setup() {
  const model = await loadModel(MODEL);
  const scan = findLinearLayers(model);
  const selection = selectLayers(scan, {}, model.path);
  const { stats } = await calibrate(model, selection, { calib: CALIB, samples: 4, seqlen: 32, seed: 3, bins: 64, needHistograms: true });
  return { model, scan, selection, stats: stats.stats };
}

/** The plan without wall times (they differ run to run). */
function comparable(plan: PrunePlan) {
  return {
    weights: [...plan.weights],
    layers: plan.layers.map(({ ms: _ms, ...rest }) => rest),
    groups: plan.groups.map((g) => ({ ...g, stages: g.stages.map(({ ms: _ms, ...rest }) => rest) })),
    totals: plan.totals,
    keptMasks: [...(plan.keptMasks ?? [])],
    graph: plan.proto.graph!.node.map((n) => [n.opType, n.name, n.input.join(','), n.output.join(',')].join(' ')),
  };
}

test('worker threads give exactly the plan of one thread: weights, masks, permutations, graph, report', async () => {
  const { model, scan, selection, stats } = await setup();
  assert.ok(selection.groups.length >= 4, 'several groups to spread over the threads');
  for (const method of [methodDefaults('esparse', { pattern: { n: 2, m: 4 } }), methodDefaults('wanda', { sparsity: 0.5 })]) {
    const one = await planPruning(model, scan, selection, stats, method, { workers: 0, keepMasks: true });
    const three = await planPruning(model, scan, selection, stats, method, { workers: 3, keepMasks: true });
    assert.ok(one.groups.some((g) => g.permutation) || method.sparsity, 'the shuffle permuted some group');
    assert.deepEqual(comparable(three), comparable(one), method.method);
  }
});

test('cancelling while the threads work rejects with CancelledError', async () => {
  const { model, scan, selection, stats } = await setup();
  const controller = new AbortController();
  const run = planPruning(model, scan, selection, stats, methodDefaults('esparse', { pattern: { n: 2, m: 4 } }), {
    workers: 2,
    signal: controller.signal,
    onProgress: (p) => p.done === 1 && controller.abort(),
  });
  await assert.rejects(run, CancelledError);
});
