import * as tf from '@tensorflow/tfjs';
import { release, runKernel } from './compose';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * FusedBatchNorm for tfjs-backend-wasm as one XNNPACK pass: with per-channel statistics,
 * (x − μ)·γ/√(σ² + ε) + β = x·s + b where s = γ/√(σ² + ε) and b = β − μ·s, which is a 1×1
 * depthwise convolution with a bias. tfjs-wasm's own kernel is a scalar loop, 2–3× slower;
 * batch-norm networks run it three times per layer and step (forward, and twice in the gradient).
 * Statistics broadcast from another shape go to the original kernel.
 */
export function wasmBatchNormConfig(depthwise: tf.KernelConfig, original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.FusedBatchNorm,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { x, mean, variance, offset, scale } = inputs as tf.FusedBatchNormInputs;
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      const channels = x!.shape[3]!;
      const perChannel = [mean, variance, offset, scale].every((t) => t == null || tf.util.sizeFromShape(t.shape) === channels);
      if (x!.shape.length !== 4 || x!.dtype !== 'float32' || !perChannel) return original.kernelFunc(args);
      const heap = backend as WasmHeapBackend;
      const filter = heap.makeOutput([1, 1, channels, 1], 'float32');
      const bias = heap.makeOutput([channels], 'float32');
      // Views after both allocations: allocating may grow, and detach, the heap.
      const [m, v, f, b] = [mean!, variance!, filter, bias].map((t) => heap.typedArrayFromHeap(t));
      const [o, s] = [offset, scale].map((t) => (t ? heap.typedArrayFromHeap(t) : null));
      for (let c = 0; c < channels; c++) {
        f![c] = (s ? s[c]! : 1) / Math.sqrt(v![c]! + varianceEpsilon);
        b![c] = (o ? o[c]! : 0) - m![c]! * f![c]!;
      }
      const out = runKernel(backend, depthwise, { x: x!, filter, bias }, { strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC', activation: 'linear' });
      release(backend, filter, bias);
      return out;
    },
  };
}
