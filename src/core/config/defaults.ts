/** Defaults of every optional field; schemas/merino.schema.json states the same (a test checks it). */
import type { ModelSpec } from '../merino/architecture';
import { DEFAULT_BETA, DEFAULT_ENTROPY_WEIGHTS } from '../merino/entropy-model';
import type { SearchSettings, SearchSpace } from './merino-config';

export const DEFAULT_MODEL: Readonly<ModelSpec> = {
  vocabSize: 50257,
  context: 1024,
  tiedEmbeddings: true,
  norm: 'layernorm',
  mlp: 'gelu',
  biases: true,
  positions: 'learned',
  positionOffset: 0,
  finalNorm: true,
};

export const DEFAULT_SEARCH_SPACE: Readonly<SearchSpace> = {
  blocks: { min: 1, max: 4 },
  layersPerBlock: { min: 1, max: 8 },
  width: { min: 128, max: 1024, multiple: 64 },
  headDim: { min: 32, max: 128, multiple: 8 },
  heads: [2, 4, 8, 12, 16],
  ffnRatios: [2, 3, 4],
  sharing: false,
};

export const DEFAULT_SEARCH: Readonly<SearchSettings> = { population: 256, iterations: 100000, patience: 20000, seed: 0, topK: 10 };
export const DEFAULT_ENTROPY = { attnWeight: DEFAULT_ENTROPY_WEIGHTS.attn, ffnWeight: DEFAULT_ENTROPY_WEIGHTS.ffn, beta: DEFAULT_BETA };
export const DEFAULT_LATENCY_MODE = 'decode';
export const DEFAULT_BYTES_PER_ELEMENT = 4;
export const DEFAULT_FFN_RATIO = 4;
