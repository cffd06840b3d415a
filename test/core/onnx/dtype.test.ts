import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { bfloat16ToFloat, decode16, encode16, floatToBfloat16, floatToHalf, halfToFloat } from '../../../src/core/onnx/dtype';

test('fp16: exact values, subnormals, overflow and specials', () => {
  assert.equal(floatToHalf(1), 0x3c00);
  assert.equal(floatToHalf(-2), 0xc000);
  assert.equal(floatToHalf(65504), 0x7bff);
  assert.equal(floatToHalf(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(floatToHalf(2 ** -14), 0x0400); // smallest normal
  assert.equal(floatToHalf(1e6), 0x7c00);
  assert.equal(floatToHalf(-Infinity), 0xfc00);
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
  assert.equal(halfToFloat(0x3555), 0.333251953125);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
});

test('fp16 rounds to nearest, ties to even', () => {
  const ulp = 2 ** -10;
  assert.equal(floatToHalf(1 + ulp / 2), 0x3c00); // tie, 0x3c00 is even
  assert.equal(floatToHalf(1 + 1.5 * ulp), 0x3c02); // tie, rounds up to even
  assert.equal(floatToHalf(1 + ulp / 2 + 2 ** -20), 0x3c01); // just above the tie
  assert.equal(floatToHalf(65520), 0x7c00); // tie at max rounds to Inf (even)
  assert.equal(floatToHalf(2 ** -25), 0x0000); // half the smallest subnormal: tie to 0
  assert.equal(floatToHalf(1.5 * 2 ** -24), 0x0002); // subnormal tie to even
});

test('fp16 round trip of every finite half is exact', () => {
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) === 0x7c00) continue;
    assert.equal(floatToHalf(halfToFloat(h)), h === 0x8000 ? 0x8000 : h);
  }
});

test('bf16: truncation with round to nearest even', () => {
  assert.equal(floatToBfloat16(1), 0x3f80);
  assert.equal(bfloat16ToFloat(0x3f80), 1);
  const ulp = 2 ** -7;
  assert.equal(floatToBfloat16(1 + ulp / 2), 0x3f80); // tie to even
  assert.equal(floatToBfloat16(1 + 1.5 * ulp), 0x3f82);
  assert.equal(floatToBfloat16(-3.140625), 0xc049);
  assert.ok(Number.isNaN(bfloat16ToFloat(floatToBfloat16(NaN))));
});

test('decode16 agrees with halfToFloat on every bit pattern (NaN payloads stay NaN)', () => {
  const all = Uint16Array.from({ length: 0x10000 }, (_, h) => h);
  const decoded = decode16(all, DT.FLOAT16);
  for (let h = 0; h < 0x10000; h++) {
    const want = halfToFloat(h);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(decoded[h]!));
    else assert.ok(Object.is(decoded[h], want), `0x${h.toString(16)}`);
  }
});

test('encode16/decode16 over arrays', () => {
  const values = Float32Array.of(0, -0.5, 3.25, 1000, -1e-3);
  for (const dt of [DT.FLOAT16, DT.BFLOAT16]) {
    const back = decode16(encode16(values, dt), dt);
    for (let i = 0; i < values.length; i++) assert.ok(Math.abs(back[i]! - values[i]!) <= Math.abs(values[i]!) * 2 ** -8, `${dt} ${values[i]} → ${back[i]}`);
  }
});
