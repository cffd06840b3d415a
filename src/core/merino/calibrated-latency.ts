/**
 * Latency on a device profile: the roofline, scaled by the profile's measured table when it has one.
 * Each measured point (an architecture, a sequence length, measured prefill and/or decode ms) gives
 * the ratio measured / roofline; the scale for prefill (decode) is the geometric mean of those
 * ratios, so a profile measured on a few architectures corrects the theoretical peaks for all.
 */
import type { ModelSpec } from './architecture';
import { type Inventory, inventory } from './cost-model';
import type { DeviceProfile } from './device-profile';
import { type LatencyEstimate, inventoryLatency } from './roofline';

export interface LatencyScale {
  prefill: number;
  decode: number;
  /** Measured points behind each scale (0: the scale is 1, plain roofline). */
  prefillPoints: number;
  decodePoints: number;
}

const cache = new WeakMap<DeviceProfile, WeakMap<ModelSpec, LatencyScale>>();

const geoMean = (ratios: number[]): number => (ratios.length ? Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length) : 1);

/** The scales of `device`'s measured table for architectures of `model` (cached per device and model object). */
export function latencyScale(device: DeviceProfile, model: ModelSpec): LatencyScale {
  const byModel = cache.get(device) ?? new WeakMap<ModelSpec, LatencyScale>();
  cache.set(device, byModel);
  const known = byModel.get(model);
  if (known) return known;
  const prefill: number[] = [];
  const decode: number[] = [];
  for (const p of device.measured ?? []) {
    const roof = inventoryLatency(inventory(p.arch, model), device, p.seqLen);
    if (p.prefillMs !== undefined) prefill.push(p.prefillMs / roof.prefillMs);
    if (p.decodeMs !== undefined) decode.push(p.decodeMs / roof.decodeMs);
  }
  const scale = { prefill: geoMean(prefill), decode: geoMean(decode), prefillPoints: prefill.length, decodePoints: decode.length };
  byModel.set(model, scale);
  return scale;
}

export function deviceLatency(inv: Inventory, device: DeviceProfile, model: ModelSpec, seqLen: number): LatencyEstimate & { calibrated: boolean } {
  const roof = inventoryLatency(inv, device, seqLen);
  const s = latencyScale(device, model);
  return { prefillMs: roof.prefillMs * s.prefill, decodeMs: roof.decodeMs * s.decode, calibrated: s.prefillPoints + s.decodePoints > 0 };
}
