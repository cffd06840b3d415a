import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { blockOf } from '../../../src/core/onnx/block-name';
import { findLinearLayers } from '../../../src/core/onnx/linear-layers';
import { loadModel, type OnnxModel } from '../../../src/core/onnx/model-file';
import { buildDecoderModel, buildEdgeCaseModel, writeFixture, writeModel, type FixtureVariant } from '../../fixtures/build-fixtures';
import * as ort from 'onnxruntime-node';
import { runOrt, tempDir } from '../../fixtures/ort-run';

let dir: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir, cleanup } = await tempDir()));
after(() => cleanup());

const load = async (variant: FixtureVariant): Promise<OnnxModel> => loadModel(await writeFixture(dir, variant));

/** name suffix → [layout, K, N] for one block of the MatMul fixture. */
const MATMUL_BLOCK: Record<string, ['KN' | 'NK', number, number]> = {
  'self_attn/q_proj/MatMul': ['KN', 64, 64],
  'self_attn/k_proj/MatMul': ['NK', 64, 64],
  'self_attn/v_proj/MatMul': ['KN', 64, 64],
  'self_attn/o_proj/MatMul': ['KN', 64, 64],
  'mlp/gate_proj/MatMul': ['KN', 64, 128],
  'mlp/up_proj/MatMul': ['KN', 64, 128],
  'mlp/down_proj/MatMul': ['KN', 128, 64],
};

function expectedLayers(block: Record<string, ['KN' | 'NK', number, number]>) {
  return [0, 1].flatMap((i) => Object.entries(block).map(([suffix, [layout, K, N]]) => ({ name: `/model/layers.${i}/${suffix}`, layout, K, N, block: `layers.${i}`, blockIndex: i })));
}

const pick = (scan: ReturnType<typeof findLinearLayers>) => scan.layers.map(({ name, layout, K, N, block, blockIndex }) => ({ name, layout, K, N, block, blockIndex }));

test('MatMul fixture: layouts through initializer, Transpose, Constant and Identity; siblings; exclusions', async () => {
  const scan = findLinearLayers(await load('basic'));
  assert.deepEqual(pick(scan), expectedLayers(MATMUL_BLOCK));
  const q = scan.layers[0]!;
  assert.equal(q.weight, 'model.layers.0.self_attn.q_proj.weight');
  assert.equal(q.input, '/model/layers.0/input_layernorm/LayerNormalization_output_0');
  assert.equal(q.dtype, DT.FLOAT);
  assert.equal(scan.layers[2]!.weight, 'model.layers.0.self_attn.v_proj.weight'); // the Constant node's output
  assert.deepEqual(scan.siblings, [0, 1].flatMap((i) => [
    ['q_proj', 'k_proj', 'v_proj'].map((n) => `/model/layers.${i}/self_attn/${n}/MatMul`),
    [`/model/layers.${i}/self_attn/o_proj/MatMul`],
    ['gate_proj', 'up_proj'].map((n) => `/model/layers.${i}/mlp/${n}/MatMul`),
    [`/model/layers.${i}/mlp/down_proj/MatMul`],
  ]));
  assert.equal(scan.lmHead?.name, '/lm_head/MatMul');
  assert.deepEqual([scan.lmHead?.K, scan.lmHead?.N, scan.lmHead?.layout], [64, 256, 'KN']);
  assert.deepEqual(scan.excluded.map((e) => [e.node, e.reason]), [
    ['/model/embed_tokens/Gather', 'token embedding lookup (Gather)'],
    ['/model/embed_positions/Gather', 'table lookup (Gather: position embedding, rotary cache…)'],
    ...[0, 1].flatMap((i) => [
      [`/model/layers.${i}/self_attn/MatMul`, 'both inputs are activations (attention product)'],
      [`/model/layers.${i}/self_attn/MatMul_1`, 'both inputs are activations (attention product)'],
    ]),
    ['/lm_head/MatMul', 'final vocabulary projection (lm_head)'],
  ]);
});

test('Gemm fixture: transB=0 → KN, transB=1 → NK, bias and alpha recorded', async () => {
  const scan = findLinearLayers(await load('gemm'));
  const gemms = scan.layers.filter((l) => l.op === 'Gemm' && l.block === 'layers.1');
  assert.deepEqual(gemms.map((l) => [l.name, l.layout, l.K, l.N, l.bias, l.alpha]), [
    ['/model/layers.1/mlp/gate_proj/Gemm', 'KN', 64, 128, 'model.layers.1.mlp.gate_proj.bias', 1],
    ['/model/layers.1/mlp/up_proj/Gemm', 'NK', 64, 128, 'model.layers.1.mlp.up_proj.bias', 1],
    ['/model/layers.1/mlp/down_proj/Gemm', 'NK', 128, 64, 'model.layers.1.mlp.down_proj.bias', 0.5],
  ]);
  assert.ok(scan.siblings.some((g) => g.join() === '/model/layers.1/mlp/gate_proj/Gemm,/model/layers.1/mlp/up_proj/Gemm'));
  assert.equal(scan.layers.length, 14);
});

test('fp16 and bf16 fixtures: same layers through Cast, dtype recorded', async () => {
  for (const [variant, dtype] of [['fp16', DT.FLOAT16], ['bf16', DT.BFLOAT16]] as const) {
    const scan = findLinearLayers(await load(variant));
    assert.deepEqual(pick(scan), expectedLayers(MATMUL_BLOCK), variant);
    assert.ok(scan.layers.every((l) => l.dtype === dtype));
  }
});

test('tied embeddings: lm_head reads Transpose(embedding table) and is excluded as lm_head', async () => {
  const scan = findLinearLayers(await load('minimal'));
  assert.equal(scan.lmHead?.weight, 'model.embed_tokens.weight');
  assert.deepEqual([scan.lmHead?.layout, scan.lmHead?.K, scan.lmHead?.N], ['NK', 64, 256]);
  assert.equal(scan.layers.length, 14);
});

test('edge cases: transA, shared weights, twin layers, 3-D weights, activation products, unnamed nodes', async () => {
  const path = await writeModel(buildEdgeCaseModel(), join(dir, 'edge.onnx'));
  const out = await runOrt(path, { x: new ort.Tensor('float32', new Float32Array(16 * 64).fill(0.5), [16, 64]) }); // a real, runnable graph
  assert.equal(Object.keys(out).length, 9);
  const scan = findLinearLayers(await loadModel(path));
  assert.deepEqual(scan.layers.map((l) => [l.name, l.weight, l.block]), [
    ['twin/MatMul', 'twin.weight', null],
    ['twin/MatMul_1', 'twin.weight', null],
    ['MatMul:plain_out', 'plain.weight', null],
  ]);
  assert.deepEqual(scan.siblings, [['twin/MatMul', 'twin/MatMul_1', 'MatMul:plain_out']]); // all read x
  assert.equal(scan.lmHead, null);
  assert.deepEqual(scan.excluded.map((e) => [e.node, e.reason]), [
    ['transA/Gemm', 'Gemm with transA=1 (input stored transposed)'],
    ['batched/MatMul', 'weight batched.weight is not 2-D (shape [2,64,16])'],
    ['gram/MatMul', 'both inputs are activations (attention product)'],
    ['q/MatMul', 'weight computed from constants by DequantizeLinear (only Identity, Cast and Transpose are followed)'],
    ['shared/MatMul', 'weight shared.weight is shared with shared/MatMul_1'],
    ['shared/MatMul_1', 'weight shared.weight is shared with shared/MatMul'],
  ]);
});

test('blocks come from weight names when node names say nothing', async () => {
  const proto = buildDecoderModel();
  for (const n of proto.graph!.node) n.name = '';
  const scan = findLinearLayers(await loadModel(await writeModel(proto, join(dir, 'anonymous.onnx'))));
  assert.equal(scan.layers.length, 14);
  assert.deepEqual(scan.layers.map((l) => l.blockIndex), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
  assert.match(scan.layers[0]!.name, /^MatMul:/);
});

test('block names of common exporters', () => {
  assert.deepEqual(blockOf('/model/layers.3/self_attn/q_proj/MatMul'), { block: 'layers.3', blockIndex: 3 });
  assert.deepEqual(blockOf('/transformer/h.11/attn/c_attn/Gemm'), { block: 'h.11', blockIndex: 11 });
  assert.deepEqual(blockOf('/h.2/mlp/MatMul'), { block: 'h.2', blockIndex: 2 });
  assert.deepEqual(blockOf('/blocks.0/ffn/MatMul'), { block: 'blocks.0', blockIndex: 0 });
  assert.deepEqual(blockOf('/model/decoder/layers.5/fc1/MatMul'), { block: 'layers.5', blockIndex: 5 });
  assert.deepEqual(blockOf('model.layers.7.mlp.up_proj.weight'), { block: 'layers.7', blockIndex: 7 });
  assert.deepEqual(blockOf('/gpt_neox/layers.1/attention/MatMul'), { block: 'layers.1', blockIndex: 1 });
  assert.equal(blockOf('/lm_head/MatMul'), null);
  assert.equal(blockOf('/model/hidden.3/MatMul'), null);
});
