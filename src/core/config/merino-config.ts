/** A design file (*.merino.json) after defaults are applied: see docs/merino-format.md. */
import type { Arch, ModelSpec } from '../merino/architecture';
import type { DeviceProfile } from '../merino/device-profile';
import type { EntropyWeights } from '../merino/entropy-model';

export interface IntRange {
  min: number;
  max: number;
}

export interface StepRange extends IntRange {
  multiple: number;
}

export interface SearchSpace {
  blocks: IntRange;
  layersPerBlock: IntRange;
  width: StepRange;
  headDim: StepRange;
  heads: number[];
  ffnRatios: number[];
  sharing: boolean;
}

export type LatencyMode = 'prefill' | 'decode';

export interface LatencyBudget {
  device: string;
  ms: number;
  mode: LatencyMode;
  seqLen: number;
}

export interface Budget {
  params?: number;
  flops?: number;
  flopsSeqLen: number;
  latency?: LatencyBudget;
}

export interface EntropySettings {
  weights: EntropyWeights;
  beta: number;
}

export interface SearchSettings {
  population: number;
  iterations: number;
  patience: number;
  seed: number;
  topK: number;
}

export interface MerinoConfig {
  name: string;
  model: ModelSpec;
  budget: Budget;
  searchSpace: SearchSpace;
  entropy: EntropySettings;
  search: SearchSettings;
  /** User-defined profiles; presets are looked up with findDevice. */
  devices: Record<string, DeviceProfile>;
  arch?: Arch;
}

export type BudgetKey = 'params' | 'flops' | 'latency';
