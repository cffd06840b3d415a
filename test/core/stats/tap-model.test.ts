import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { findLinearLayers } from '../../../src/core/onnx/linear-layers';
import { activationTaps } from '../../../src/core/stats/activation-taps';
import { buildTapModel } from '../../../src/core/stats/tap-model';
import { buildEdgeCaseModel } from '../../fixtures/build-fixtures';
import { fixtureModel } from './calibration-fixture';

test('the tap model outputs exactly the activations and drops the lm_head and KV outputs', async () => {
  const model = await fixtureModel('basic');
  const scan = findLinearLayers(model);
  const taps = activationTaps(scan);
  assert.equal(taps.reduce((n, t) => n + t.layers.length, 0), scan.layers.length, 'every layer has its tap');
  assert.ok(taps.some((t) => t.layers.length > 1), 'siblings share one tap');
  const before = { outputs: model.proto.graph!.output.map((o) => o.name), nodes: model.proto.graph!.node.length };
  const { proto } = buildTapModel(model.proto, taps.map((t) => t.tensor));
  const graph = proto.graph!;
  assert.deepEqual(graph.output.map((o) => o.name), taps.map((t) => t.tensor));
  assert.ok(!graph.node.some((n) => n.name === scan.lmHead!.name), 'no lm_head node');
  assert.ok(!graph.initializer.some((t) => t.name === scan.lmHead!.weight), 'no lm_head weight');
  assert.ok(graph.node.length < model.proto.graph!.node.length);
  assert.ok(before.outputs.includes('logits'));
  assert.deepEqual({ outputs: model.proto.graph!.output.map((o) => o.name), nodes: model.proto.graph!.node.length }, before, 'the original proto is unchanged');
  const session = await ort.InferenceSession.create(toBinary(ModelProtoSchema, proto));
  assert.deepEqual(session.outputNames, taps.map((t) => t.tensor));
});

test('a tapped graph input is passed through an Identity node', async () => {
  const proto = buildEdgeCaseModel();
  const { proto: tapped, fetch } = buildTapModel(proto, ['x']);
  assert.equal(fetch.get('x'), 'x::merino_tap');
  const session = await ort.InferenceSession.create(toBinary(ModelProtoSchema, tapped));
  const x = new ort.Tensor('float32', Float32Array.from({ length: 16 * 64 }, (_, i) => i), [16, 64]);
  const out = await session.run({ x });
  assert.deepEqual(out['x::merino_tap']!.data, x.data);
});
