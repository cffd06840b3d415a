/**
 * Roofline latency (ALGORITHMS.md §4): every matmul and every attention product takes
 * max(FLOPs / peakFlops, bytes moved / memBandwidth); their sum is the latency at batch 1.
 * Prefill runs `seqLen` tokens over an empty cache; decode runs one token attending to `seqLen`
 * positions (seqLen − 1 cached). Bytes moved: weights (re-read by every layer, shared or not), inputs, outputs,
 * the K/V cache and the attention scores. Norms, softmax and activations are left out (small next
 * to the matmuls at these sizes).
 */
import type { Arch, ModelSpec } from './architecture';
import { type Inventory, inventory } from './cost-model';
import type { DeviceProfile } from './device-profile';

export interface LatencyEstimate {
  prefillMs: number;
  decodeMs: number;
}

/** Seconds for `flops` arithmetic and `bytes` of traffic on `device`. */
const roof = (device: DeviceProfile, flops: number, bytes: number): number => Math.max(flops / device.peakFlops, bytes / device.memBandwidth);

/** Seconds of one forward over `queries` new tokens attending to `keys` tokens (keys ≥ queries). */
function forwardSeconds(inv: Inventory, device: DeviceProfile, queries: number, keys: number): number {
  const el = device.bytesPerElement;
  let s = 0;
  for (const op of inv.linears) {
    const flops = 2 * queries * op.inF * op.outF;
    const bytes = el * (op.inF * op.outF + queries * (op.inF + op.outF));
    s += op.runs * roof(device, flops, bytes);
  }
  for (const a of inv.attentions) {
    const flops = 4 * queries * keys * a.width;
    const bytes = el * (2 * queries * a.width + 2 * keys * a.width + 2 * a.heads * queries * keys);
    s += a.runs * roof(device, flops, bytes);
  }
  return s;
}

export function rooflineLatency(arch: Arch, model: ModelSpec, device: DeviceProfile, seqLen: number): LatencyEstimate {
  return inventoryLatency(inventory(arch, model), device, seqLen);
}

export function inventoryLatency(inv: Inventory, device: DeviceProfile, seqLen: number): LatencyEstimate {
  return {
    prefillMs: 1e3 * forwardSeconds(inv, device, seqLen, seqLen),
    decodeMs: 1e3 * forwardSeconds(inv, device, 1, seqLen),
  };
}
