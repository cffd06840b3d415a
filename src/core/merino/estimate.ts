/** Every figure of one architecture against a design's budgets: what hovers, checks and the search use. */
import type { Budget, BudgetKey, EntropySettings, LatencyMode } from '../config/merino-config';
import type { Arch, ModelSpec } from './architecture';
import { inventory, inventoryFlops, inventoryParams } from './cost-model';
import { type DeviceProfile, findDevice } from './device-profile';
import { type EntropyModel, effectiveness, stackedChannelEntropy } from './entropy-model';
import { deviceLatency } from './calibrated-latency';

export interface DesignContext {
  model: ModelSpec;
  budget?: Budget;
  entropy?: EntropySettings;
  devices?: Readonly<Record<string, DeviceProfile>>;
  /** Replaces the default stacked-channel entropy. */
  entropyModel?: EntropyModel;
}

export interface LatencyFigures {
  prefillMs: number;
  decodeMs: number;
  device: string;
  seqLen: number;
  mode: LatencyMode;
  /** The figure the latency budget limits. */
  ms: number;
  /** Scaled by the device's measured table (else plain roofline). */
  calibrated: boolean;
}

export interface ArchEstimate {
  params: number;
  flops: number;
  flopsSeqLen: number;
  /** Present when the budget names a known device. */
  latency?: LatencyFigures;
  entropy: number;
  rho: number;
  /** Headroom per budget: (limit − value) / limit; negative when over. */
  margins: Partial<Record<BudgetKey | 'rho', number>>;
  /** Budgets (and "rho") the architecture exceeds. */
  violations: (BudgetKey | 'rho')[];
  feasible: boolean;
}

const margin = (value: number, limit: number): number => (limit - value) / limit;

/** Figures of `arch` for the design `ctx`; pure and fast (microseconds), callable per keystroke. */
export function estimateArch(arch: Arch, ctx: DesignContext): ArchEstimate {
  const inv = inventory(arch, ctx.model);
  const budget = ctx.budget;
  const flopsSeqLen = budget?.flopsSeqLen ?? ctx.model.context;
  const params = inventoryParams(inv);
  const flops = inventoryFlops(inv, flopsSeqLen);
  const entropyModel = ctx.entropyModel ?? stackedChannelEntropy(ctx.entropy?.weights);
  const rho = effectiveness(arch);
  const margins: ArchEstimate['margins'] = {};
  if (budget?.params !== undefined) margins.params = margin(params, budget.params);
  if (budget?.flops !== undefined) margins.flops = margin(flops, budget.flops);
  if (ctx.entropy) margins.rho = margin(rho, ctx.entropy.beta);
  let latency: LatencyFigures | undefined;
  const lb = budget?.latency;
  const device = lb && findDevice(lb.device, ctx.devices);
  if (lb && device) {
    const l = deviceLatency(inv, device, ctx.model, lb.seqLen);
    latency = { ...l, device: lb.device, seqLen: lb.seqLen, mode: lb.mode, ms: lb.mode === 'prefill' ? l.prefillMs : l.decodeMs };
    margins.latency = margin(latency.ms, lb.ms);
  }
  const violations = (Object.keys(margins) as (BudgetKey | 'rho')[]).filter((k) => margins[k]! < 0);
  return { params, flops, flopsSeqLen, latency, entropy: entropyModel.entropy(arch), rho, margins, violations, feasible: violations.length === 0 };
}
