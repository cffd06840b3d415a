import { TensorProto_DataType as DT } from 'onnx-buf';

/** Weight dtypes the engine reads and writes (computation is always fp32). */
export const SUPPORTED_WEIGHT_DTYPES: readonly number[] = [DT.FLOAT, DT.FLOAT16, DT.BFLOAT16];

export function isSupportedWeightDtype(dataType: number): boolean {
  return SUPPORTED_WEIGHT_DTYPES.includes(dataType);
}

/** The ONNX name of a TensorProto.DataType value, e.g. 10 → "FLOAT16". */
export function dtypeName(dataType: number): string {
  return DT[dataType] ?? `dtype ${dataType}`;
}

/** onnxruntime's tensor type names (ort.Tensor.type) as TensorProto.DataType values. */
const ORT_TYPES: Record<string, number> = {
  float32: DT.FLOAT, float16: DT.FLOAT16, bfloat16: DT.BFLOAT16, float64: DT.DOUBLE, int8: DT.INT8, uint8: DT.UINT8, int16: DT.INT16, uint16: DT.UINT16,
  int32: DT.INT32, uint32: DT.UINT32, int64: DT.INT64, uint64: DT.UINT64, bool: DT.BOOL, string: DT.STRING,
};

/** The TensorProto.DataType of an onnxruntime tensor type name, e.g. "int64" → 7. */
export function dataTypeOfOrtType(type: string): number {
  const t = ORT_TYPES[type];
  if (t === undefined) throw new Error(`no ONNX data type for onnxruntime tensor type "${type}"`);
  return t;
}

/** Bytes per element of the fixed-size dtypes stored in raw_data (undefined for strings and sub-byte types). */
export function bytesPerElement(dataType: number): number | undefined {
  switch (dataType) {
    case DT.FLOAT: case DT.INT32: case DT.UINT32: return 4;
    case DT.FLOAT16: case DT.BFLOAT16: case DT.INT16: case DT.UINT16: return 2;
    case DT.DOUBLE: case DT.INT64: case DT.UINT64: case DT.COMPLEX64: return 8;
    case DT.COMPLEX128: return 16;
    case DT.UINT8: case DT.INT8: case DT.BOOL:
    case DT.FLOAT8E4M3FN: case DT.FLOAT8E4M3FNUZ: case DT.FLOAT8E5M2: case DT.FLOAT8E5M2FNUZ: case DT.FLOAT8E8M0:
      return 1;
    default: return undefined;
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half (bits) → float. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** float → IEEE half bits, rounding to nearest even (overflow → ±Inf, NaN kept quiet). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000; // subnormal half: shift the full significand right by 14 - e
    return sign | roundShift(mant, 14 - e);
  }
  // a carry out of the mantissa correctly bumps the exponent (up to Inf)
  return sign | (roundShift((e << 23) | mant, 13) & 0xffff);
}

/** x >>> shift, rounded to nearest, ties to even. */
function roundShift(x: number, shift: number): number {
  const q = x >>> shift;
  const rem = x & ((1 << shift) - 1);
  const mid = 1 << (shift - 1);
  return rem > mid || (rem === mid && q & 1) ? q + 1 : q;
}

/** bfloat16 (bits) → float: the top half of an fp32. */
export function bfloat16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

/** float → bfloat16 bits, rounding to nearest even (NaN kept quiet). */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

let halfTable: Float32Array | undefined;

/** All 65,536 halves as floats (256 KiB, built on first use): decoding is one lookup per value. */
function halves(): Float32Array {
  halfTable ??= Float32Array.from({ length: 0x10000 }, (_, h) => halfToFloat(h));
  return halfTable;
}

/** Decodes 16-bit values (fp16 or bf16 bit patterns) into a new Float32Array. */
export function decode16(bits: Uint16Array | ArrayLike<number>, dataType: number): Float32Array {
  const out = new Float32Array(bits.length);
  if (dataType === DT.BFLOAT16) {
    const outBits = new Uint32Array(out.buffer);
    for (let i = 0; i < bits.length; i++) outBits[i] = (bits[i]! & 0xffff) << 16;
  } else {
    const table = halves();
    for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]! & 0xffff]!;
  }
  return out;
}

/** Encodes floats into 16-bit patterns of `dataType` (fp16 or bf16), round to nearest even. */
export function encode16(data: Float32Array, dataType: number): Uint16Array<ArrayBuffer> {
  const out = new Uint16Array(data.length);
  const convert = dataType === DT.BFLOAT16 ? floatToBfloat16 : floatToHalf;
  for (let i = 0; i < data.length; i++) out[i] = convert(data[i]!);
  return out;
}
