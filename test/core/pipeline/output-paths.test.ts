import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { prunedModelPath, reportPath } from '../../../src/core/pipeline/output-paths';
import { methodDefaults } from '../../../src/core/pipeline/prune-options';

test('pruned model names: pattern or sparsity, the method, and a shuffle other than its default', () => {
  const model = join('/m', 'net.onnx');
  const at = (name: string) => join('/m', name);
  assert.equal(prunedModelPath(model, methodDefaults('esparse', { pattern: { n: 2, m: 4 } })), at('net.2of4.esparse.onnx'));
  assert.equal(prunedModelPath(model, methodDefaults('esparse', { pattern: { n: 2, m: 4 }, shuffle: 'none' })), at('net.2of4.esparse-none.onnx'));
  assert.equal(prunedModelPath(model, methodDefaults('wanda', { pattern: { n: 4, m: 8 } })), at('net.4of8.wanda.onnx'));
  assert.equal(prunedModelPath(model, methodDefaults('wanda', { pattern: { n: 4, m: 8 }, shuffle: 'both' })), at('net.4of8.wanda-both.onnx'));
  assert.equal(prunedModelPath(model, methodDefaults('magnitude', { sparsity: 0.5 })), at('net.50pct.magnitude.onnx'));
  assert.equal(reportPath(at('net.2of4.esparse-none.onnx')), at('net.2of4.esparse-none.report.json'));
});
