import assert from 'node:assert/strict';
import { test } from 'node:test';
import { merino } from './run-cli';

test('merino demo compares every method at 2:4 and 4:8 on the bundled model', () => {
  const r = merino('demo', '--samples', '8', '--max-windows', '4', '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.match(result.model, /demo[\\/]tiny-gpt\.onnx$/);
  assert.deepEqual(result.rows.map((x: { target: string; label: string }) => `${x.target} ${x.label}`), [
    '2:4 magnitude', '2:4 wanda', '2:4 esparse/none', '2:4 esparse',
    '4:8 magnitude', '4:8 wanda', '4:8 esparse/none', '4:8 esparse',
  ]);
  for (const row of result.rows) {
    assert.ok(Number.isFinite(row.ppl) && row.ppl > result.dense.ppl * 0.9, `${row.label}: ${row.ppl} vs dense ${result.dense.ppl}`);
    assert.equal(row.sparsity, 0.5);
  }
  const table = merino('demo', '--samples', '8', '--max-windows', '4');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^dense\s+\d+\.\d{3}$/m);
  assert.match(table.stdout, /^4:8\s+esparse\s+\d+\.\d{3}/m);
});
