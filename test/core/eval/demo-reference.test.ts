import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readModelTokens } from '../../../src/core/calib/model-text';
import { perplexity } from '../../../src/core/eval/perplexity';
import { loadModel } from '../../../src/core/onnx/model-file';

const DEMO = join(__dirname, '../../../demo');

const skip = !existsSync(join(DEMO, 'tiny-gpt.onnx')) && 'the demo model is not built (scripts/train_demo_models.py)';

test('the demo model reproduces the PyTorch perplexity of its training script (8 windows, 1e-3 relative)', { skip }, async () => {
  const reference = JSON.parse(readFileSync(join(DEMO, 'reference.json'), 'utf8')) as { seqlen: number; ppl_max_windows_8: number };
  const model = await loadModel(join(DEMO, 'tiny-gpt.onnx'));
  const text = readModelTokens(model, join(DEMO, 'eval.txt'));
  assert.equal(text.encoding.kind, 'bytes');
  const result = await perplexity(model, text.tokens, { seqlen: reference.seqlen, maxWindows: 8, file: text.file });
  assert.equal(result.predictions, 8 * (reference.seqlen - 1));
  const rel = Math.abs(result.ppl - reference.ppl_max_windows_8) / reference.ppl_max_windows_8;
  assert.ok(rel < 1e-3, `ppl ${result.ppl} vs PyTorch ${reference.ppl_max_windows_8} (relative ${rel})`);
});
