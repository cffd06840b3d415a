import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Arch, ModelSpec } from '../../../src/core/merino/architecture';
import { latencyScale } from '../../../src/core/merino/calibrated-latency';
import { DEVICE_PRESETS, type DeviceProfile } from '../../../src/core/merino/device-profile';
import { estimateArch } from '../../../src/core/merino/estimate';
import { rooflineLatency } from '../../../src/core/merino/roofline';
import { parseMerinoText, validateMerinoText } from '../../../src/core/config/merino-document';

const model: ModelSpec = { vocabSize: 1000, context: 256, tiedEmbeddings: true, norm: 'layernorm', mlp: 'gelu', biases: true, positions: 'learned', positionOffset: 0, finalNorm: true };
const a: Arch = { blocks: [{ layers: 4, width: 256, heads: 4, ffnDim: 1024, shared: false }] };
const b: Arch = { blocks: [{ layers: 8, width: 512, heads: 8, ffnDim: 1024, shared: false }] };
const pi4 = DEVICE_PRESETS['raspberry-pi-4'];

test('a measured table scales the roofline by the geometric mean of measured / roofline', () => {
  const ra = rooflineLatency(a, model, pi4, 64);
  const rb = rooflineLatency(b, model, pi4, 128);
  // a measured 2× slower than its roofline in prefill, b 8×: geometric mean 4. Decode measured only on a: 3×.
  const device: DeviceProfile = { ...pi4, measured: [{ arch: a, seqLen: 64, prefillMs: 2 * ra.prefillMs, decodeMs: 3 * ra.decodeMs }, { arch: b, seqLen: 128, prefillMs: 8 * rb.prefillMs }] };
  const s = latencyScale(device, model);
  assert.ok(Math.abs(s.prefill - 4) < 1e-9 && Math.abs(s.decode - 3) < 1e-9);
  const budget = { flopsSeqLen: 32, latency: { device: 'board', ms: 1e6, mode: 'prefill' as const, seqLen: 32 } };
  const e = estimateArch(b, { model, budget, devices: { board: device } }).latency!;
  const r = rooflineLatency(b, model, pi4, 32);
  assert.ok(e.calibrated);
  assert.ok(Math.abs(e.prefillMs - 4 * r.prefillMs) < 1e-9 && Math.abs(e.decodeMs - 3 * r.decodeMs) < 1e-9);
  assert.equal(estimateArch(b, { model, budget, devices: { board: pi4 } }).latency!.calibrated, false);
});

test('a measured table in a design file is validated and used', () => {
  const design = {
    model: { vocabSize: 1000, context: 256 },
    budget: { latency: { device: 'board', ms: 5, mode: 'decode', seqLen: 64 } },
    devices: { board: { peakFlops: '48G', memBandwidth: '12.8G', measured: [{ arch: { blocks: [{ layers: 4, width: 256, heads: 4 }] }, seqLen: 64, decodeMs: 9.5 }] } },
    arch: { blocks: [{ layers: 4, width: 256, heads: 4 }] },
  };
  const text = JSON.stringify(design);
  const c = parseMerinoText(text).config;
  assert.equal(c.devices.board.measured!.length, 1);
  // The arch is the measured one, so its calibrated decode latency is the measurement: over the 5 ms budget.
  const d = validateMerinoText(text).find((x) => x.code === 'arch-over-budget');
  assert.ok(d, JSON.stringify(validateMerinoText(text)));
  assert.ok(Math.abs((d.data as { value: number }).value - 9.5) < 1e-9);
  const bad = JSON.stringify({ ...design, devices: { board: { ...design.devices.board, measured: [{ seqLen: 0 }] } } });
  assert.ok(validateMerinoText(bad).some((x) => x.code === 'schema' && /Missing property "arch"/.test(x.message)));
});
