import * as tf from '@tensorflow/tfjs';
import { release, runKernel, transposeLastTwo } from './compose';

/**
 * tfjs-backend-wasm multiplies untransposed operands with XNNPACK (≈45 GFLOP/s on one core here)
 * but falls back to a plain loop when either is transposed (0.9–3.6 GFLOP/s). Backpropagation
 * through a dense layer asks for exactly those transposed products (dx = dy·Wᵀ, dW = xᵀ·dy), so
 * the operands are transposed explicitly first: one copy, then the fast path. Serves BatchMatMul
 * and _FusedMatMul alike (same `a`, `b` inputs and transpose attributes).
 */
export function wasmUntransposedMatMulConfig(original: tf.KernelConfig, transpose: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
      const { a, b } = inputs as tf.BatchMatMulInputs;
      const a2 = transposeA ? transposeLastTwo(backend, transpose, a!) : a!;
      const b2 = transposeB ? transposeLastTwo(backend, transpose, b!) : b!;
      try {
        return runKernel(backend, original, { ...inputs, a: a2, b: b2 } as Record<string, tf.TensorInfo>, { ...attrs, transposeA: false, transposeB: false });
      } finally {
        if (a2 !== a) release(backend, a2);
        if (b2 !== b) release(backend, b2);
      }
    },
  };
}
