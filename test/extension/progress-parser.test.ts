import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressPrinter } from '../../src/cli/progress-printer';
import { CliStderrParser } from '../../src/worker/progress-parser';

function parseAll(chunks: string[]) {
  const progress: { stage: string; done: number; total: number; detail?: string }[] = [];
  const logs: string[] = [];
  const parser = new CliStderrParser((p) => progress.push(p), (l) => logs.push(l));
  for (const c of chunks) parser.push(c);
  parser.flush();
  return { progress, logs };
}

test('reads every update the CLI progress printer draws on a TTY, and keeps other text as log lines', () => {
  const chunks: string[] = [];
  const print = progressPrinter((t) => chunks.push(t), true);
  chunks.push('warning: 2 layers stay dense (K not a multiple of 4)\n');
  for (let i = 1; i <= 5; i++) print({ stage: 'calibrating', done: i, total: 5, detail: `window ${i}` });
  print({ stage: 'pruning layer', done: 3, total: 24 });
  chunks.push('merino prune: model.onnx: no prunable layers (check --include)\n');
  const { progress, logs } = parseAll(chunks);
  assert.deepEqual(progress, [
    ...[1, 2, 3, 4, 5].map((i) => ({ stage: 'calibrating', done: i, total: 5, detail: `window ${i}` })),
    { stage: 'pruning layer', done: 3, total: 24, detail: undefined },
  ]);
  assert.deepEqual(logs, ['warning: 2 layers stay dense (K not a multiple of 4)', 'merino prune: model.onnx: no prunable layers (check --include)']);
});

test('handles text split across chunks', () => {
  const { progress, logs } = parseAll(['first li', 'ne\nsecond\n', '\r\x1b[Kstats ██░░ 1/', '2']);
  assert.deepEqual(logs, ['first line', 'second']);
  assert.deepEqual(progress, [{ stage: 'stats', done: 1, total: 2, detail: undefined }]);
});
