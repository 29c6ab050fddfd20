import * as tf from '@tensorflow/tfjs';

/** Glorot-uniform kernels seeded per layer: deterministic for a given run seed. */
export function seededKernel(seed: number, layerIndex: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: seed * 1009 + layerIndex });
}

/** He-normal kernels (ReLU convnets), seeded the same way. */
export function seededHeKernel(seed: number, layerIndex: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.heNormal({ seed: seed * 1009 + layerIndex });
}
