import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseStem, comparableNames } from '../../src/extension/masks/sibling-models';

const folder = ['model.onnx', 'model.2of4.esparse.onnx', 'model.2of4.wanda.onnx', 'model.4of8.magnitude.onnx', 'model.50pct.wanda.onnx', 'model.2of4.esparse.report.json',
  'model.2of4.esparse.onnx.data', 'model.2of4.magnitude.onnx.tmp-12-ab', 'other.2of4.wanda.onnx', 'model.v2.2of4.wanda.onnx', 'notes.txt'];

test('a pruned model is offered its pruned siblings of the same base model, not itself, the dense model or other files', () => {
  assert.deepEqual(comparableNames('/w/model.2of4.esparse.onnx', folder), ['model.2of4.wanda.onnx', 'model.4of8.magnitude.onnx', 'model.50pct.wanda.onnx']);
});

test('a dense model is offered its pruned outputs; names with dots in the stem keep them', () => {
  assert.deepEqual(comparableNames('/w/model.onnx', folder), ['model.2of4.esparse.onnx', 'model.2of4.wanda.onnx', 'model.4of8.magnitude.onnx', 'model.50pct.wanda.onnx']);
  assert.equal(baseStem('/w/model.v2.2of4.wanda.onnx'), 'model.v2');
  assert.deepEqual(comparableNames('/w/model.v2.onnx', folder), ['model.v2.2of4.wanda.onnx']);
});
