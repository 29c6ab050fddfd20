import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { float16Bits, quantizeWeight } from '../../electron/engine/export/quantize';

describe('weight quantization for the TensorFlow.js weights manifest', () => {
  it('float16: IEEE binary16 bits, rounded to nearest even, with subnormals and specials', () => {
    const cases: Array<[number, number]> = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up past the largest finite half
      [1e6, 0x7c00],
      [-Infinity, 0xfc00],
      [2 ** -24, 0x0001], // the smallest subnormal
      [2 ** -26, 0x0000], // rounds to zero
      [1 + 2 ** -11, 0x3c00], // a tie rounds to even
      [1 + 3 * 2 ** -11, 0x3c02],
    ];
    for (const [value, bits] of cases) assert.equal(float16Bits(value), bits, `${value}: 0x${float16Bits(value).toString(16)} ≠ 0x${bits.toString(16)}`);
    assert.equal(float16Bits(NaN) & 0x7c00, 0x7c00);
    assert.notEqual(float16Bits(NaN) & 0x3ff, 0);
  });

  it('uint8: per-tensor affine, within half a step of every value; a constant tensor exact', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 3 - 0.5);
    const { bytes, quantization } = quantizeWeight(values, 'uint8');
    assert.equal(quantization.dtype, 'uint8');
    if (quantization.dtype !== 'uint8') return;
    assert.equal(bytes.length, 1000);
    values.forEach((v, i) => assert.ok(Math.abs(bytes[i]! * quantization.scale + quantization.min - v) <= quantization.scale / 2 + 1e-6, `value ${i}`));
    const ones = quantizeWeight(new Float32Array(7).fill(1), 'uint8');
    assert.ok(ones.quantization.dtype === 'uint8' && ones.quantization.min === 1 && [...ones.bytes].every((b) => b === 0));
  });
});
