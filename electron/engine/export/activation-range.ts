/** The range of values a tensor took on calibration images: [min, max]. */
export type Range = [number, number];

/** An 8-bit affine quantization: value = (q − zeroPoint) · scale. */
export interface Affine {
  scale: number;
  zeroPoint: number;
}

/**
 * 8-bit parameters covering [min, max] and 0, which must be exact (padding and ReLU make it):
 * int8 (`lowest` −128, TFLite's activations) or uint8 (`lowest` 0, onnxruntime's).
 */
export function affineFor([min, max]: Range, lowest: -128 | 0): Affine {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.max(lowest, Math.min(lowest + 255, Math.round(lowest - lo / scale))) };
}
