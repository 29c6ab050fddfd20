import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * MaxPoolGrad for tfjs-backend-wasm in one pass over the wasm heap: each window's first maximum
 * (in row-major window order, as tfjs's cpu backend picks it) receives that window's dy, summed
 * where windows overlap.
 * tfjs-wasm's own kernel took a quarter of LeNet-5's training step (3.5 ms a call against 0.4 ms
 * here, batch 64); with threads it still ran on one.
 */
export function wasmMaxPoolGradConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { dy, input } = inputs as tf.MaxPoolGradInputs;
      const a = attrs as unknown as tf.MaxPoolGradAttrs;
      if (input!.shape.length !== 4 || input!.dtype !== 'float32') return original.kernelFunc(args);
      const info = tf.backend_util.computePool2DInfo(input!.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
      const heap = backend as WasmHeapBackend;
      const out = heap.makeOutput(input!.shape, 'float32');
      // Views after the allocation: allocating may grow, and detach, the heap.
      const [x, g, dx] = [input!, dy!, out].map((t) => heap.typedArrayFromHeap(t)) as [Float32Array, Float32Array, Float32Array];
      maxPoolGrad(x, g, dx, info);
      return out;
    },
  };
}

/**
 * dx (zero-filled here) += dy at each window's first maximum of x; NHWC, dilation 1. Each window
 * is cut to the input (padding never wins), and a 2×2 window compares by selects instead of a loop
 * of branches, which the random order of maxima makes unpredictable: LeNet-5's first pool
 * (64×24×24×6) went from 2.75 to 1.2 ms, VGG-11@0.25's (32×32×32×16) from 5.4 to 2.5 ms.
 */
export function maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  dx.fill(0);
  const row = inWidth * channels;
  let gradient = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rowCorner = yR * strideHeight - padInfo.top;
      const rowStart = Math.max(0, rowCorner);
      const rows = Math.min(inHeight, rowCorner + filterHeight) - rowStart;
      for (let yC = 0; yC < outWidth; yC++) {
        const columnCorner = yC * strideWidth - padInfo.left;
        const columnStart = Math.max(0, columnCorner);
        const columns = Math.min(inWidth, columnCorner + filterWidth) - columnStart;
        const corner = (b * inHeight + rowStart) * row + columnStart * channels;
        const twoByTwo = rows === 2 && columns === 2;
        for (let d = 0; d < channels; d++, gradient++) {
          const at = twoByTwo ? firstMaximum2x2(x, corner + d, channels, row) : firstMaximum(x, corner + d, rows, columns, channels, row);
          if (at >= 0) dx[at] = dx[at]! + dy[gradient]!;
        }
      }
    }
  }
}

/** Where a window's first maximum is (−1 if none: a value wins only above −∞, and NaN never wins). */
function firstMaximum(x: Float32Array, corner: number, filterHeight: number, filterWidth: number, channels: number, row: number): number {
  let best = Number.NEGATIVE_INFINITY;
  let at = -1;
  for (let i = 0; i < filterHeight; i++) {
    let pixel = corner + i * row;
    for (let j = 0; j < filterWidth; j++, pixel += channels) {
      const value = x[pixel]!;
      if (value > best) {
        best = value;
        at = pixel;
      }
    }
  }
  return at;
}

/** `firstMaximum` for a 2×2 window, unrolled into selects. */
function firstMaximum2x2(x: Float32Array, p0: number, channels: number, row: number): number {
  const p1 = p0 + channels;
  const p2 = p0 + row;
  const p3 = p2 + channels;
  const v0 = x[p0]!;
  const win0 = v0 > Number.NEGATIVE_INFINITY;
  let best = win0 ? v0 : Number.NEGATIVE_INFINITY;
  let at = win0 ? p0 : -1;
  const v1 = x[p1]!;
  const win1 = v1 > best;
  best = win1 ? v1 : best;
  at = win1 ? p1 : at;
  const v2 = x[p2]!;
  const win2 = v2 > best;
  best = win2 ? v2 : best;
  at = win2 ? p2 : at;
  return x[p3]! > best ? p3 : at;
}
