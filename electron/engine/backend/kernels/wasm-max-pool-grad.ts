import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * MaxPoolGrad for tfjs-backend-wasm in one pass over the wasm heap: each window's first maximum
 * (in row-major window order, as tfjs's cpu backend picks it) receives that window's dy, summed
 * where windows overlap. Channels are the innermost loop, so every read is sequential.
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

/** dx (zero-filled here) += dy at each window's first maximum of x; NHWC, dilation 1. */
export function maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  dx.fill(0);
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    const xImage = b * inHeight * inWidth * channels;
    for (let yR = 0; yR < outHeight; yR++) {
      const rowCorner = yR * strideHeight - padInfo.top;
      const rowStart = Math.max(0, rowCorner);
      const rowEnd = Math.min(inHeight, rowCorner + filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const columnCorner = yC * strideWidth - padInfo.left;
        const columnStart = Math.max(0, columnCorner);
        const columnEnd = Math.min(inWidth, columnCorner + filterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(-1);
        for (let xR = rowStart; xR < rowEnd; xR++) {
          for (let xC = columnStart; xC < columnEnd; xC++) {
            const pixel = xImage + (xR * inWidth + xC) * channels;
            for (let d = 0; d < channels; d++) {
              const value = x[pixel + d]!;
              if (value > best[d]!) {
                best[d] = value;
                at[d] = pixel + d;
              }
            }
          }
        }
        const gradient = ((b * outHeight + yR) * outWidth + yC) * channels;
        for (let d = 0; d < channels; d++) {
          const position = at[d]!;
          if (position >= 0) dx[position] = dx[position]! + dy[gradient + d]!;
        }
      }
    }
  }
}
