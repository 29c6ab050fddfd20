import * as tf from '@tensorflow/tfjs';
import { imageBytes, type DatasetSplit } from './dataset';

export interface BatchOptions {
  /** Random shift of up to this many pixels in x and y, zero filled (0: none): the same as a random crop after padding. */
  jitter: number;
  /** The share of images that `jitter` shifts (default 1: all); the rest pass unshifted. */
  jitterShare?: number;
  /** Mirror left–right with probability ½. */
  flip?: boolean;
  rng: () => number;
}

/**
 * Gathers images `order[start..end)` into float32, shape [n, h, w, c], with the labels as
 * int32: pixels / 255, then the split's per-channel normalisation if it has one. The
 * uint8 → float conversion happens here, per batch.
 */
export function imageBatch(
  split: DatasetSplit,
  shape: readonly [number, number, number],
  order: ArrayLike<number>,
  start: number,
  end: number,
  options: BatchOptions = { jitter: 0, rng: Math.random },
): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  const [h, w, c] = shape;
  const size = imageBytes(shape);
  const n = end - start;
  const pixels = new Float32Array(n * size);
  const labels = new Int32Array(n);
  // No draw at share 1, so runs without a share keep their random stream (and their resumes).
  const share = options.jitterShare ?? 1;
  for (let i = 0; i < n; i++) {
    const index = order[start + i]!;
    labels[i] = split.labels[index]!;
    const source = split.images.subarray(index * size, (index + 1) * size);
    const target = pixels.subarray(i * size, (i + 1) * size);
    if (options.jitter > 0 && (share >= 1 || options.rng() < share)) {
      const dx = Math.floor(options.rng() * (2 * options.jitter + 1)) - options.jitter;
      const dy = Math.floor(options.rng() * (2 * options.jitter + 1)) - options.jitter;
      shiftInto(source, target, h, w, c, dx, dy);
    } else {
      for (let k = 0; k < size; k++) target[k] = source[k]! / 255;
    }
    if (options.flip && options.rng() < 0.5) flipInPlace(target, h, w, c);
  }
  const norm = split.normalization;
  if (norm) {
    for (let k = 0; k < pixels.length; k++) {
      const channel = k % c;
      pixels[k] = (pixels[k]! - norm.mean[channel]!) / norm.std[channel]!;
    }
  }
  return { x: tf.tensor4d(pixels, [n, h, w, c]), labels: tf.tensor1d(labels, 'int32') };
}

/** target(y, x) = source(y − dy, x − dx) / 255, zero outside the image. */
export function shiftInto(source: Uint8Array, target: Float32Array, h: number, w: number, c: number, dx: number, dy: number): void {
  target.fill(0);
  for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
    const sy = y - dy;
    for (let x = Math.max(0, dx); x < Math.min(w, w + dx); x++) {
      const sx = x - dx;
      for (let k = 0; k < c; k++) target[(y * w + x) * c + k] = source[(sy * w + sx) * c + k]! / 255;
    }
  }
}

/** Mirrors one HWC image left–right. */
export function flipInPlace(image: Float32Array, h: number, w: number, c: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w >> 1; x++) {
      for (let k = 0; k < c; k++) {
        const a = (y * w + x) * c + k;
        const b = (y * w + (w - 1 - x)) * c + k;
        const t = image[a]!;
        image[a] = image[b]!;
        image[b] = t;
      }
    }
  }
}

export function sequentialOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}
