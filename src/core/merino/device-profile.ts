/**
 * Device profiles for the roofline latency model, and the built-in presets.
 * Each preset's figures are theoretical peaks derived from the vendor's published specification;
 * `source` says where they come from (see docs/merino-format.md). Real kernels reach a fraction of
 * them: define your own profile with sustained figures, or measure (`merino estimate --measure`).
 */

import type { Arch } from './architecture';

/** One measured latency of an architecture on the device (e.g. from `merino estimate --measure --json`). */
export interface MeasuredPoint {
  arch: Arch;
  /** Prefill tokens / decode positions of the measurement. */
  seqLen: number;
  prefillMs?: number;
  decodeMs?: number;
}

export interface DeviceProfile {
  /** Peak arithmetic throughput, FLOP/s. */
  peakFlops: number;
  /** Peak memory bandwidth, bytes/s. */
  memBandwidth: number;
  /** Bytes per weight and activation element (4 fp32, 2 fp16, 1 int8). */
  bytesPerElement: number;
  description?: string;
  source?: string;
  /** Measured table: scales the roofline (calibrated-latency.ts). */
  measured?: MeasuredPoint[];
}

export const DEVICE_PRESETS: Readonly<Record<string, DeviceProfile>> = {
  'raspberry-pi-3b': {
    peakFlops: 19.2e9,
    memBandwidth: 3.6e9,
    bytesPerElement: 4,
    description: 'Raspberry Pi 3 Model B: 4× Cortex-A53 @ 1.2 GHz, 1 GB LPDDR2 (fp32)',
    source: 'Raspberry Pi 3 Model B product brief (BCM2837, 4× Cortex-A53 1.2 GHz, LPDDR2 900 MT/s, 32-bit): 4 cores × 1.2 GHz × 4 fp32 FLOP/cycle (one 2-lane FMA per cycle); 900 MT/s × 4 B',
  },
  'raspberry-pi-4': {
    peakFlops: 48e9,
    memBandwidth: 12.8e9,
    bytesPerElement: 4,
    description: 'Raspberry Pi 4 Model B: 4× Cortex-A72 @ 1.5 GHz, LPDDR4-3200 (fp32)',
    source: 'Raspberry Pi 4 Model B product brief (BCM2711, 4× Cortex-A72 1.5 GHz, LPDDR4-3200, 32-bit bus): 4 cores × 1.5 GHz × 8 fp32 FLOP/cycle (one 128-bit NEON FMA per cycle); 3200 MT/s × 4 B',
  },
  'jetson-orin-nano-8gb': {
    peakFlops: 1.28e12,
    memBandwidth: 68e9,
    bytesPerElement: 2,
    description: 'NVIDIA Jetson Orin Nano 8GB: 1024-core Ampere GPU @ 625 MHz, 128-bit LPDDR5 (fp16 weights, CUDA cores)',
    source: 'NVIDIA Jetson Orin Nano series data sheet (DS-11105): 1024 CUDA cores × 625 MHz × 2 FLOP (FMA); 68 GB/s memory bandwidth',
  },
  'apple-a17-pro-ane': {
    peakFlops: 17.5e12,
    memBandwidth: 51.2e9,
    bytesPerElement: 2,
    description: 'Apple A17 Pro Neural Engine (iPhone 15 Pro), fp16',
    source: 'Apple newsroom 2023-09-12 (A17 Pro: Neural Engine up to 35 trillion operations/s, precision not stated; assumed int8, halved for fp16); LPDDR5-6400 on a 64-bit bus = 51.2 GB/s',
  },
};

/** A preset or a user profile by name (user profiles override presets). */
export function findDevice(name: string, user: Readonly<Record<string, DeviceProfile>> = {}): DeviceProfile | undefined {
  return Object.hasOwn(user, name) ? user[name] : Object.hasOwn(DEVICE_PRESETS, name) ? DEVICE_PRESETS[name] : undefined;
}

export function deviceNames(user: Readonly<Record<string, DeviceProfile>> = {}): string[] {
  return [...new Set([...Object.keys(user), ...Object.keys(DEVICE_PRESETS)])];
}
