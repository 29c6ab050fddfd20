import * as tf from '@tensorflow/tfjs';

/** tfjs's own gradient while this project's is installed. */
let stock: tf.GradConfig | null = null;

/**
 * tfjs's FusedBatchNorm gradient builds dL/dx by tiling the per-channel 1/√(σ²+ε) to the full
 * [N, H, W, C] activation before multiplying, one Tile per batch norm per step: on wasm that Tile
 * was a third of a ResNet-20 step. Broadcasting gives the same product without the copy; the
 * other derivatives (mean, variance, scale, offset) stay tfjs's own.
 */
export function installBatchNormGradient(): void {
  const original = tf.getGradient(tf.FusedBatchNorm);
  if (!original || stock) return;
  stock = original;
  tf.registerGradient({
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const derivatives = original.gradFunc(dy, saved, attrs);
      const [x, , variance, scale] = saved as tf.Tensor[];
      const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
      return {
        ...derivatives,
        x: () => tf.reshape(tf.mul(tf.mul(dy as tf.Tensor, tf.rsqrt(tf.add(variance!, varianceEpsilon))), scale ?? 1), x!.shape),
      };
    },
  });
}

/** tfjs's own gradient back (`distill bench --stock-kernels`). */
export function restoreBatchNormGradient(): void {
  if (stock) tf.registerGradient(stock);
  stock = null;
}
