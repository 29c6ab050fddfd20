/**
 * Weight quantization as TensorFlow.js's weights manifest describes it (`quantization` on each
 * weight entry), so tf.loadLayersModel dequantizes on load: float16 halves the file, uint8 (affine:
 * value = q·scale + min, per tensor) quarters it.
 */
export type QuantizationDtype = 'float16' | 'uint8';

export interface QuantizedWeight {
  bytes: Uint8Array;
  quantization: { dtype: 'float16' } | { dtype: 'uint8'; scale: number; min: number };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary32 → binary16 bits, round to nearest even, with subnormals, ±Inf and NaN. */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rounded = mantissa + half - 1 + ((mantissa >> shift) & 1);
    return sign | (rounded >> shift);
  }
  const rounded = mantissa + 0xfff + ((mantissa >> 13) & 1);
  if (rounded & 0x800000) {
    mantissa = 0;
    e += 1;
    if (e >= 0x1f) return sign | 0x7c00;
  } else mantissa = rounded;
  return sign | (e << 10) | (mantissa >> 13);
}

export function quantizeWeight(values: Float32Array, dtype: QuantizationDtype): QuantizedWeight {
  if (dtype === 'float16') {
    const out = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i]!);
    return { bytes: new Uint8Array(out.buffer), quantization: { dtype: 'float16' } };
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) [min, max] = [0, 0];
  // A constant tensor (a fresh bias, γ = 1) keeps its exact value: q = 0 everywhere.
  const scale = max > min ? (max - min) / 255 : 1;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round((values[i]! - min) / scale)));
  return { bytes: out, quantization: { dtype: 'uint8', scale, min } };
}
