/**
 * A Hugging Face `config.json` for an architecture. Uniform architectures (one width, heads and
 * FFN size everywhere, no shared layers) whose model settings match a known family get that
 * family's config (gpt2, opt, llama), so transformers builds the same network; anything else gets
 * a documented custom config (model_type "merino", one entry per block; docs/merino-format.md).
 */
import { type Arch, type ModelSpec, describeArch, totalLayers } from './architecture';
import { countParams } from './cost-model';

export type HfStyle = 'gpt2' | 'opt' | 'llama' | 'merino';

const uniform = (arch: Arch): boolean => arch.blocks.every((b) => !b.shared && b.width === arch.blocks[0].width && b.heads === arch.blocks[0].heads && b.ffnDim === arch.blocks[0].ffnDim);

/** Which family's config describes the architecture exactly. */
export function hfStyle(arch: Arch, m: ModelSpec): HfStyle {
  if (!uniform(arch) || !m.finalNorm) return 'merino';
  const classic = m.norm === 'layernorm' && m.positions === 'learned' && m.biases;
  if (classic && m.mlp === 'gelu' && m.positionOffset === 0 && m.tiedEmbeddings) return 'gpt2';
  if (classic && m.mlp !== 'swiglu' && m.positionOffset === 2) return 'opt';
  if (m.norm === 'rmsnorm' && m.mlp === 'swiglu' && m.positions === 'rope') return 'llama';
  return 'merino';
}

export function hfConfig(arch: Arch, m: ModelSpec): Record<string, unknown> {
  const b = arch.blocks[0];
  const layers = totalLayers(arch);
  const provenance = { merino: { arch: describeArch(arch), params: countParams(arch, m) } };
  switch (hfStyle(arch, m)) {
    case 'gpt2':
      return {
        architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', vocab_size: m.vocabSize, n_positions: m.context, n_ctx: m.context,
        n_embd: b.width, n_layer: layers, n_head: b.heads, n_inner: b.ffnDim, activation_function: 'gelu', layer_norm_epsilon: 1e-5,
        initializer_range: 0.02, tie_word_embeddings: true, torch_dtype: 'float32', ...provenance,
      };
    case 'opt':
      return {
        architectures: ['OPTForCausalLM'], model_type: 'opt', vocab_size: m.vocabSize, max_position_embeddings: m.context,
        hidden_size: b.width, word_embed_proj_dim: b.width, num_hidden_layers: layers, num_attention_heads: b.heads, ffn_dim: b.ffnDim,
        activation_function: m.mlp, do_layer_norm_before: true, enable_bias: true, layer_norm_elementwise_affine: true,
        tie_word_embeddings: m.tiedEmbeddings, init_std: 0.02, torch_dtype: 'float32', ...provenance,
      };
    case 'llama':
      return {
        architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: m.vocabSize, max_position_embeddings: m.context,
        hidden_size: b.width, intermediate_size: b.ffnDim, num_hidden_layers: layers, num_attention_heads: b.heads, num_key_value_heads: b.heads,
        hidden_act: 'silu', rms_norm_eps: 1e-5, rope_theta: 10000, attention_bias: m.biases, mlp_bias: m.biases,
        tie_word_embeddings: m.tiedEmbeddings, initializer_range: 0.02, torch_dtype: 'float32', ...provenance,
      };
    default:
      return {
        architectures: ['MerinoForCausalLM'], model_type: 'merino', vocab_size: m.vocabSize, max_position_embeddings: m.context,
        position_embedding: m.positions, position_offset: m.positionOffset, norm: m.norm, norm_eps: 1e-5, mlp: m.mlp, bias: m.biases,
        final_norm: m.finalNorm, tie_word_embeddings: m.tiedEmbeddings, num_hidden_layers: layers,
        blocks: arch.blocks.map((x) => ({ num_layers: x.layers, hidden_size: x.width, num_attention_heads: x.heads, intermediate_size: x.ffnDim, shared_layers: x.shared })),
        torch_dtype: 'float32', ...provenance,
      };
  }
}
