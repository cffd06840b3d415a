/**
 * Exact parameter and FLOPs counts of an architecture (ALGORITHMS.md §4).
 *
 * Both counts, the roofline latency and the ONNX skeleton read one inventory of the network's
 * matrix multiplications, so they cannot disagree.
 * FLOPs convention: 2 × multiply-accumulates of one forward pass over T tokens (batch 1), counting
 * every projection, lm_head, and the attention products QKᵀ and AV over the *full* T×T score
 * matrix (not causal: dense kernels compute the whole matrix and mask it). Norms, softmax,
 * activations, bias adds and embedding lookups are not counted.
 */
import { type Arch, type Block, type ModelSpec, embeddingWidth, lastWidth } from './architecture';

/** One weight matrix [inF, outF] applied `runs` times per token, stored `copies` times. */
export interface LinearOp {
  name: string;
  inF: number;
  outF: number;
  bias: boolean;
  /** Forward applications (layers of the block, shared or not). */
  runs: number;
  /** Stored copies: 1 for shared layers, 0 for a lm_head tied to the embedding. */
  copies: number;
}

/** The attention products of `runs` layers of one block. */
export interface AttentionOp {
  width: number;
  heads: number;
  runs: number;
}

export interface Inventory {
  linears: LinearOp[];
  attentions: AttentionOp[];
  /** Parameters outside the linears: token/position embeddings and norms. */
  otherParams: number;
}

export const normParams = (model: ModelSpec, width: number): number => (model.norm === 'layernorm' ? 2 * width : width);

function blockLinears(model: ModelSpec, b: Block, i: number): LinearOp[] {
  const runs = b.layers;
  const copies = b.shared ? 1 : b.layers;
  const op = (name: string, inF: number, outF: number): LinearOp => ({ name: `blocks.${i}.${name}`, inF, outF, bias: model.biases, runs, copies });
  const attn = ['q_proj', 'k_proj', 'v_proj', 'o_proj'].map((n) => op(n, b.width, b.width));
  const mlp = model.mlp === 'swiglu'
    ? [op('gate_proj', b.width, b.ffnDim), op('up_proj', b.width, b.ffnDim), op('down_proj', b.ffnDim, b.width)]
    : [op('fc1', b.width, b.ffnDim), op('fc2', b.ffnDim, b.width)];
  return [...attn, ...mlp];
}

/** Every matmul and every other parameter of the architecture. */
export function inventory(arch: Arch, model: ModelSpec): Inventory {
  const linears: LinearOp[] = [];
  const attentions: AttentionOp[] = [];
  const e0 = embeddingWidth(arch);
  let otherParams = model.vocabSize * e0;
  if (model.positions === 'learned') otherParams += (model.context + model.positionOffset) * e0;
  arch.blocks.forEach((b, i) => {
    if (i > 0 && arch.blocks[i - 1].width !== b.width) {
      linears.push({ name: `proj.${i}`, inF: arch.blocks[i - 1].width, outF: b.width, bias: model.biases, runs: 1, copies: 1 });
    }
    linears.push(...blockLinears(model, b, i));
    attentions.push({ width: b.width, heads: b.heads, runs: b.layers });
    otherParams += 2 * normParams(model, b.width) * (b.shared ? 1 : b.layers);
  });
  const eLast = lastWidth(arch);
  if (model.finalNorm) otherParams += normParams(model, eLast);
  if (model.tiedEmbeddings && eLast !== e0) {
    linears.push({ name: 'proj.out', inF: eLast, outF: e0, bias: model.biases, runs: 1, copies: 1 });
  }
  const headIn = model.tiedEmbeddings ? e0 : eLast;
  linears.push({ name: 'lm_head', inF: headIn, outF: model.vocabSize, bias: false, runs: 1, copies: model.tiedEmbeddings ? 0 : 1 });
  return { linears, attentions, otherParams };
}

export const linearParams = (op: LinearOp): number => op.copies * (op.inF * op.outF + (op.bias ? op.outF : 0));

/** Parameters, counting embeddings, positions, norms, biases and lm_head (tied counts once). */
export function countParams(arch: Arch, model: ModelSpec): number {
  return inventoryParams(inventory(arch, model));
}

export const inventoryParams = (inv: Inventory): number => inv.linears.reduce((s, op) => s + linearParams(op), inv.otherParams);

/** Multiply-accumulates of QKᵀ and AV for `queries` queries over `keys` keys, per layer. */
export const attentionMacs = (width: number, queries: number, keys: number): number => 2 * queries * keys * width;

/** FLOPs (2 × MACs) of one forward pass over `seqLen` tokens, full (non-causal) attention. */
export function countFlops(arch: Arch, model: ModelSpec, seqLen: number = model.context): number {
  return inventoryFlops(inventory(arch, model), seqLen);
}

export function inventoryFlops(inv: Inventory, seqLen: number): number {
  let macs = 0;
  for (const op of inv.linears) macs += seqLen * op.inF * op.outF * op.runs;
  for (const a of inv.attentions) macs += attentionMacs(a.width, seqLen, seqLen) * a.runs;
  return 2 * macs;
}
