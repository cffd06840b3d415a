import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMerinoText } from '../../../src/core/config/merino-document';
import { hfConfig, hfStyle } from '../../../src/core/merino/hf-config';

const design = (name: string) => parseMerinoText(readFileSync(join(__dirname, '../../../examples', name), 'utf8')).config;

test('OPT-125m exports the values of facebook/opt-125m config.json', () => {
  const c = design('opt-125m.merino.json');
  const cfg = hfConfig(c.arch!, c.model);
  assert.equal(hfStyle(c.arch!, c.model), 'opt');
  assert.deepEqual(
    [cfg.model_type, cfg.hidden_size, cfg.ffn_dim, cfg.num_hidden_layers, cfg.num_attention_heads, cfg.max_position_embeddings, cfg.vocab_size, cfg.activation_function, cfg.word_embed_proj_dim],
    ['opt', 768, 3072, 12, 12, 2048, 50272, 'relu', 768],
  );
});

test('LLaMA-7B exports a llama config with the published sizes', () => {
  const c = design('llama-7b.merino.json');
  const cfg = hfConfig(c.arch!, c.model);
  assert.deepEqual(
    [cfg.model_type, cfg.hidden_size, cfg.intermediate_size, cfg.num_hidden_layers, cfg.num_attention_heads, cfg.vocab_size, cfg.hidden_act, cfg.tie_word_embeddings, cfg.attention_bias],
    ['llama', 4096, 11008, 32, 32, 32000, 'silu', false, false],
  );
  assert.equal((cfg.merino as { params: number }).params, 6738415616);
});

test('non-uniform blocks or shared layers get the custom merino config, one entry per block', () => {
  const c = design('gpt2-small.merino.json');
  const arch = { blocks: [{ layers: 4, width: 512, heads: 8, ffnDim: 2048, shared: false }, { layers: 2, width: 768, heads: 12, ffnDim: 3072, shared: true }] };
  const cfg = hfConfig(arch, c.model);
  assert.equal(cfg.model_type, 'merino');
  assert.equal(cfg.num_hidden_layers, 6);
  assert.deepEqual(cfg.blocks, [
    { num_layers: 4, hidden_size: 512, num_attention_heads: 8, intermediate_size: 2048, shared_layers: false },
    { num_layers: 2, hidden_size: 768, num_attention_heads: 12, intermediate_size: 3072, shared_layers: true },
  ]);
  // A GPT-2-like model without biases has no family config either.
  assert.equal(hfStyle(c.arch!, { ...c.model, biases: false }), 'merino');
});
