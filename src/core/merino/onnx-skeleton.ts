/**
 * An ONNX decoder (opset 17) for an architecture, with seeded random weights: the "skeleton" of a
 * search result, runnable by onnxruntime, and a source of large random models for benchmarks.
 *
 * Layout: input_ids [batch, sequence] → token (+ learned position) embedding → per layer
 * pre-norm attention (q/k/v/o projections, causal mask, optional RoPE and KV cache) and pre-norm
 * MLP → final norm → lm_head → logits [batch, sequence, vocab]. Nodes are named
 * /model/layers.{i}/… (i counts layers over all blocks) so layer discovery finds the blocks.
 * Initializers are exactly the parameters the cost model counts (shared layers reuse one set;
 * a tied lm_head reads the embedding through a Transpose); shapes and scales are Constant nodes.
 */
import { create } from '@bufbuild/protobuf';
import { ModelProtoSchema, OperatorSetIdProtoSchema, StringStringEntryProtoSchema, TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { formatQuantity } from '../config/quantity';
import { UserError } from '../errors';
import { VERSION } from '../version';
import { type Arch, type Block, type ModelSpec, describeArch, embeddingWidth, headDim, lastWidth } from './architecture';
import { countParams } from './cost-model';
import { OnnxGraph } from './onnx-graph';
import { Rng, fillUniform } from './rng';

export interface SkeletonOptions {
  seed?: number;
  /** Add past_key_values.{i}.key/value inputs and present.{i}.key/value outputs. */
  kvCache?: boolean;
  /** Standard deviation of the random weights (uniform in ±std·√3; default 0.02). */
  std?: number;
}

const OPSET = 17;
const NEG_INF = -1e9;
const EPS = 1e-5;

class SkeletonWriter {
  readonly g = new OnnxGraph();
  private readonly rng: Rng;
  private readonly std: number;
  /** Scalars and tensors every layer reads: positions, mask, RoPE tables per head dimension. */
  private positions = '';
  private pastLen = '';
  private mask = '';
  private readonly rope = new Map<number, { cos: string; sin: string }>();

  constructor(readonly model: ModelSpec, readonly arch: Arch, readonly opts: SkeletonOptions) {
    this.rng = new Rng(opts.seed ?? 0);
    this.std = opts.std ?? 0.02;
  }

  private random(name: string, dims: number[]): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    fillUniform(data, this.rng.int(0, 4294967295), this.std);
    return this.g.weight(name, dims, data);
  }

  private filled(name: string, n: number, value: number): string {
    return this.g.weight(name, [n], new Float32Array(n).fill(value));
  }

  /** y = x·W (+ b); W stored [in, out]. */
  private linear(x: string, node: string, param: string, inF: number, outF: number, params: Set<string>, bias = this.model.biases): string {
    const w = `${param}.weight`;
    if (!params.has(w)) {
      params.add(w);
      this.random(w, [inF, outF]);
      if (bias) this.filled(`${param}.bias`, outF, 0);
    }
    const y = this.g.op('MatMul', [x, w], `${node}/MatMul`);
    return bias ? this.g.op('Add', [y, `${param}.bias`], `${node}/Add`) : y;
  }

  private norm(x: string, node: string, param: string, width: number, params: Set<string>): string {
    const w = `${param}.weight`;
    if (!params.has(w)) {
      params.add(w);
      this.filled(w, width, 1);
      if (this.model.norm === 'layernorm') this.filled(`${param}.bias`, width, 0);
    }
    if (this.model.norm === 'layernorm') return this.g.op('LayerNormalization', [x, w, `${param}.bias`], `${node}/LayerNormalization`, { axis: -1, epsilon: { float: EPS } });
    const sq = this.g.op('Mul', [x, x], `${node}/Square`);
    const mean = this.g.op('ReduceMean', [sq], `${node}/ReduceMean`, { axes: [-1], keepdims: 1 });
    const rms = this.g.op('Sqrt', [this.g.op('Add', [mean, this.g.float(EPS)], `${node}/AddEps`)], `${node}/Sqrt`);
    return this.g.op('Mul', [this.g.op('Div', [x, rms], `${node}/Div`), w], `${node}/Mul`);
  }

  /** Sequence length, past length, absolute positions and the causal mask [T, past+T]. */
  private prelude(): void {
    const g = this.g;
    const shape = g.op('Shape', ['input_ids'], '/model/Shape');
    const seq = g.op('Gather', [shape, g.ints([1], true)], '/model/SeqLen', { axis: 0 });
    if (this.opts.kvCache) {
      const pastShape = g.op('Shape', ['past_key_values.0.key'], '/model/PastShape');
      this.pastLen = g.op('Gather', [pastShape, g.ints([2], true)], '/model/PastLen', { axis: 0 });
    } else this.pastLen = g.ints([0], true);
    const total = g.op('Add', [this.pastLen, seq], '/model/TotalLen');
    this.positions = g.op('Range', [this.pastLen, total, g.ints([1], true)], '/model/Positions');
    const keys = g.op('Range', [g.ints([0], true), total, g.ints([1], true)], '/model/KeyPositions');
    const rows = g.op('Unsqueeze', [this.positions, g.ints([1])], '/model/QueryPositions');
    const future = g.op('Greater', [keys, rows], '/model/CausalMask/Greater');
    this.mask = g.op('Where', [future, g.float(NEG_INF), g.float(0)], '/model/CausalMask/Where');
  }

  /** cos and sin tables [T, D] of rotary embeddings for head dimension D. */
  private ropeTables(d: number): { cos: string; sin: string } {
    const known = this.rope.get(d);
    if (known) return known;
    const g = this.g;
    const invFreq = g.constant(Array.from({ length: d / 2 }, (_, i) => 10000 ** (-(2 * i) / d)), [d / 2], DT.FLOAT);
    const pos = g.op('Unsqueeze', [g.op('Cast', [this.positions], `/model/rope${d}/Cast`, { to: DT.FLOAT }), g.ints([1])], `/model/rope${d}/Unsqueeze`);
    const freqs = g.op('Mul', [pos, invFreq], `/model/rope${d}/Freqs`);
    const emb = g.op('Concat', [freqs, freqs], `/model/rope${d}/Concat`, { axis: -1 });
    const t = { cos: g.op('Cos', [emb], `/model/rope${d}/Cos`), sin: g.op('Sin', [emb], `/model/rope${d}/Sin`) };
    this.rope.set(d, t);
    return t;
  }

  /** x·cos + rotate_half(x)·sin, x [B, A, T, D]. */
  private applyRope(x: string, node: string, d: number): string {
    const g = this.g;
    const { cos, sin } = this.ropeTables(d);
    const half = g.ints([d / 2, d / 2]);
    const [x1, x2] = g.opMulti('Split', [x, half], `${node}/Split`, { axis: -1 }, [`${node}/Split_output_0`, `${node}/Split_output_1`]);
    const rotated = g.op('Concat', [g.op('Neg', [x2], `${node}/Neg`), x1], `${node}/RotateHalf`, { axis: -1 });
    return g.op('Add', [g.op('Mul', [x, cos], `${node}/MulCos`), g.op('Mul', [rotated, sin], `${node}/MulSin`)], `${node}/Add`);
  }

  /** [B, T, E] → [B, A, T, D]. */
  private splitHeads(x: string, node: string, b: Block): string {
    const r = this.g.op('Reshape', [x, this.g.ints([0, 0, b.heads, headDim(b)])], `${node}/Reshape`);
    return this.g.op('Transpose', [r], `${node}/Transpose`, { perm: [0, 2, 1, 3] });
  }

  private attention(x: string, layer: number, b: Block, p: string, params: Set<string>): string {
    const g = this.g;
    const n = `/model/layers.${layer}/self_attn`;
    const d = headDim(b);
    const proj = (name: string) => this.splitHeads(this.linear(x, `${n}/${name}`, `${p}.self_attn.${name}`, b.width, b.width, params), `${n}/${name}`, b);
    let q = proj('q_proj');
    let k = proj('k_proj');
    let v = proj('v_proj');
    if (this.model.positions === 'rope') {
      q = this.applyRope(q, `${n}/q_rope`, d);
      k = this.applyRope(k, `${n}/k_rope`, d);
    }
    if (this.opts.kvCache) {
      k = g.op('Concat', [`past_key_values.${layer}.key`, k], `${n}/k_cache/Concat`, { axis: 2 }, `present.${layer}.key`);
      v = g.op('Concat', [`past_key_values.${layer}.value`, v], `${n}/v_cache/Concat`, { axis: 2 }, `present.${layer}.value`);
    }
    const kt = g.op('Transpose', [k], `${n}/k_transpose`, { perm: [0, 1, 3, 2] });
    const scores = g.op('Mul', [g.op('MatMul', [q, kt], `${n}/qk/MatMul`), g.float(1 / Math.sqrt(d))], `${n}/qk/Scale`);
    const probs = g.op('Softmax', [g.op('Add', [scores, this.mask], `${n}/qk/AddMask`)], `${n}/Softmax`, { axis: -1 });
    const ctx = g.op('Transpose', [g.op('MatMul', [probs, v], `${n}/av/MatMul`)], `${n}/av/Transpose`, { perm: [0, 2, 1, 3] });
    const merged = g.op('Reshape', [ctx, g.ints([0, 0, b.width])], `${n}/av/Reshape`);
    return this.linear(merged, `${n}/o_proj`, `${p}.self_attn.o_proj`, b.width, b.width, params);
  }

  private mlp(x: string, layer: number, b: Block, p: string, params: Set<string>): string {
    const g = this.g;
    const n = `/model/layers.${layer}/mlp`;
    if (this.model.mlp === 'swiglu') {
      const gate = this.linear(x, `${n}/gate_proj`, `${p}.mlp.gate_proj`, b.width, b.ffnDim, params);
      const up = this.linear(x, `${n}/up_proj`, `${p}.mlp.up_proj`, b.width, b.ffnDim, params);
      const silu = g.op('Mul', [gate, g.op('Sigmoid', [gate], `${n}/act/Sigmoid`)], `${n}/act/Mul`);
      return this.linear(g.op('Mul', [silu, up], `${n}/Mul`), `${n}/down_proj`, `${p}.mlp.down_proj`, b.ffnDim, b.width, params);
    }
    const h = this.linear(x, `${n}/fc1`, `${p}.mlp.fc1`, b.width, b.ffnDim, params);
    const act = this.model.mlp === 'relu'
      ? g.op('Relu', [h], `${n}/act/Relu`)
      : g.op('Mul', [g.op('Mul', [h, g.op('Add', [g.op('Erf', [g.op('Div', [h, g.float(Math.SQRT2)], `${n}/act/Div`)], `${n}/act/Erf`), g.float(1)], `${n}/act/Add`)], `${n}/act/Mul`), g.float(0.5)], `${n}/act/Half`);
    return this.linear(act, `${n}/fc2`, `${p}.mlp.fc2`, b.ffnDim, b.width, params);
  }

  build(): ModelProto {
    const g = this.g;
    const { model, arch } = this;
    const params = new Set<string>();
    g.input('input_ids', DT.INT64, ['batch', 'sequence']);
    g.output('logits', DT.FLOAT, ['batch', 'sequence', model.vocabSize]);
    let layer = 0;
    if (this.opts.kvCache) {
      for (const b of arch.blocks) {
        for (let l = 0; l < b.layers; l++, layer++) {
          for (const kv of ['key', 'value']) {
            g.input(`past_key_values.${layer}.${kv}`, DT.FLOAT, ['batch', b.heads, 'past_sequence', headDim(b)]);
            g.output(`present.${layer}.${kv}`, DT.FLOAT, ['batch', b.heads, 'total_sequence', headDim(b)]);
          }
        }
      }
    }
    this.prelude();
    const e0 = embeddingWidth(arch);
    this.random('model.embed_tokens.weight', [model.vocabSize, e0]);
    let x = g.op('Gather', ['model.embed_tokens.weight', 'input_ids'], '/model/embed_tokens/Gather', { axis: 0 });
    if (model.positions === 'learned') {
      this.random('model.embed_positions.weight', [model.context + model.positionOffset, e0]);
      const idx = model.positionOffset ? g.op('Add', [this.positions, g.ints([model.positionOffset], true)], '/model/embed_positions/Offset') : this.positions;
      x = g.op('Add', [x, g.op('Gather', ['model.embed_positions.weight', idx], '/model/embed_positions/Gather', { axis: 0 })], '/model/embed_positions/Add');
    }
    layer = 0;
    arch.blocks.forEach((b, bi) => {
      if (bi > 0 && arch.blocks[bi - 1].width !== b.width) x = this.linear(x, `/model/proj.${bi}`, `model.proj.${bi}`, arch.blocks[bi - 1].width, b.width, params);
      for (let l = 0; l < b.layers; l++, layer++) {
        const p = b.shared ? `model.blocks.${bi}.shared` : `model.layers.${layer}`;
        const n = `/model/layers.${layer}`;
        x = g.op('Add', [x, this.attention(this.norm(x, `${n}/input_layernorm`, `${p}.input_layernorm`, b.width, params), layer, b, p, params)], `${n}/attn_residual/Add`);
        x = g.op('Add', [x, this.mlp(this.norm(x, `${n}/post_attention_layernorm`, `${p}.post_attention_layernorm`, b.width, params), layer, b, p, params)], `${n}/mlp_residual/Add`);
      }
    });
    const eLast = lastWidth(arch);
    if (model.finalNorm) x = this.norm(x, '/model/norm', 'model.norm', eLast, params);
    if (model.tiedEmbeddings) {
      if (eLast !== e0) x = this.linear(x, '/model/proj.out', 'model.proj.out', eLast, e0, params);
      const wt = g.op('Transpose', ['model.embed_tokens.weight'], '/lm_head/Transpose', { perm: [1, 0] });
      g.op('MatMul', [x, wt], '/lm_head/MatMul', {}, 'logits');
    } else {
      this.random('lm_head.weight', [eLast, model.vocabSize]);
      g.op('MatMul', [x, 'lm_head.weight'], '/lm_head/MatMul', {}, 'logits');
    }
    return create(ModelProtoSchema, {
      irVersion: 8n,
      producerName: 'merino',
      producerVersion: VERSION,
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(OPSET) })],
      graph: g.graph('merino-skeleton'),
      metadataProps: Object.entries({ merino_arch: describeArch(arch), merino_seed: String(this.opts.seed ?? 0), context_length: String(model.context), vocab_size: String(model.vocabSize) }).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
    });
  }
}

/** Largest skeleton built in memory (fp32 weights): beyond it the process would run out of memory. */
export const MAX_SKELETON_PARAMS = 2e9;

/** The skeleton ModelProto of `arch` with seeded random weights of standard deviation `std` (uniform; norm weights 1, biases 0). */
export function buildSkeletonModel(arch: Arch, model: ModelSpec, opts: SkeletonOptions = {}): ModelProto {
  const params = countParams(arch, model);
  if (params > MAX_SKELETON_PARAMS) throw new UserError(`cannot build a skeleton of ${formatQuantity(params)} parameters in memory`, `the limit is ${formatQuantity(MAX_SKELETON_PARAMS)}`);
  for (const b of arch.blocks) {
    if (b.width % b.heads !== 0) throw new UserError(`cannot build a skeleton: width ${b.width} does not divide by ${b.heads} heads`);
    if (model.positions === 'rope' && headDim(b) % 2 !== 0) throw new UserError(`cannot build a skeleton: RoPE needs an even head dimension, got ${headDim(b)}`);
  }
  return new SkeletonWriter(model, arch, opts).build();
}
