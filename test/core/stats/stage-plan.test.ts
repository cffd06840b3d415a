import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findLinearLayers } from '../../../src/core/onnx/linear-layers';
import { blockOf } from '../../../src/core/onnx/block-name';
import { activationTaps } from '../../../src/core/stats/activation-taps';
import { planStages } from '../../../src/core/stats/stage-plan';
import { buildTapModel } from '../../../src/core/stats/tap-model';
import { fixtureModel } from './calibration-fixture';

async function tapGraph() {
  const model = await fixtureModel('basic');
  const taps = activationTaps(findLinearLayers(model));
  const tapModel = buildTapModel(model.proto, taps.map((t) => t.tensor));
  return { graph: tapModel.proto.graph!, taps, outputs: taps.map((t) => tapModel.fetch.get(t.tensor)!) };
}

test('stages cover the tap graph once, in order, and group taps by the byte budget', async () => {
  const { graph, taps, outputs } = await tapGraph();
  const bytes = taps.map((t) => t.channels * 100);
  for (const budget of [1, 64 * 200, 1e9]) {
    const stages = planStages(graph, outputs, bytes, budget)!;
    assert.deepEqual(stages.flatMap((s) => s.taps), taps.map((_, i) => i), 'every tap once, in order');
    for (const s of stages) {
      const held = s.taps.reduce((a, t) => a + bytes[t]!, 0);
      assert.ok(s.taps.length === 1 || held <= budget, `stage within budget (${held} > ${budget})`);
    }
    // Every node that reads the windows runs in exactly one stage; weight-only nodes may repeat.
    const runs = new Map<string, number>();
    for (const s of stages) for (const n of s.nodes) runs.set(n.name, (runs.get(n.name) ?? 0) + 1);
    assert.deepEqual(new Set(runs.keys()), new Set(graph.node.map((n) => n.name)), 'every node runs somewhere');
    // What a stage reads from earlier stages, an earlier stage carries out.
    stages.forEach((s, i) => {
      const before = new Set(stages.slice(0, i).flatMap((p) => p.carriedOut));
      for (const name of s.carriedIn) assert.ok(before.has(name), `${name} carried into stage ${i}`);
    });
  }
  assert.equal(planStages(graph, outputs, bytes, 1e9)!.length, 1);
  assert.equal(planStages(graph, outputs, bytes, 1)!.length, taps.length);
});

test('stages end between decoder blocks where they fit, and hand the next block only the residual stream and the mask', async () => {
  const { graph, taps, outputs } = await tapGraph();
  const blocks = taps.map((t) => blockOf(t.layers[0]!)!.block);
  const perBlock = taps.filter((t) => blockOf(t.layers[0]!)?.blockIndex === 0).length;
  // A budget of one block and a half: without the blocks the first stage would take part of block 1.
  const budget = Math.floor(perBlock * 1.5);
  assert.deepEqual(planStages(graph, outputs, taps.map(() => 1), budget)![0]!.taps.length, budget);
  const stages = planStages(graph, outputs, taps.map(() => 1), budget, blocks)!;
  assert.deepEqual(stages.map((s) => new Set(s.taps.map((t) => blocks[t])).size), [1, 1], 'one whole block per stage');
  assert.deepEqual(stages[1]!.carriedIn.sort(), ['/model/layers.0/Add_1_output_0', '/model/mask/Mul_output_0']);
  // A block larger than the budget is cut inside.
  assert.equal(planStages(graph, outputs, taps.map(() => 1), 1, blocks)!.length, taps.length);
});

test('taps listed against graph order cannot be staged', async () => {
  const { graph, taps, outputs } = await tapGraph();
  assert.equal(planStages(graph, [...outputs].reverse(), taps.map(() => 1), 1), null);
});
