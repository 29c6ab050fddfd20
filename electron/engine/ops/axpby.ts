import * as tf from '@tensorflow/tfjs';

/** Kernel name of a·x + b·y, registered by this project for the backends where it saves dispatches. */
export const AXPBY = 'DistillAxpby';

export interface AxpbyAttrs {
  a: number;
  b: number;
}

/**
 * a·x + b·y for two float32 tensors of one shape, as one kernel where the backend has it (every
 * kernel is a dispatch with its own host cost on a GPU, and an optimizer step or a moving
 * average is nothing but this), else as tfjs's multiply and add. No gradient: it serves updates.
 */
export function axpby(a: number, x: tf.Tensor, b: number, y: tf.Tensor): tf.Tensor {
  const fused = x.dtype === 'float32' && y.dtype === 'float32' && tf.util.arraysEqual(x.shape, y.shape) && tf.getKernel(AXPBY, tf.getBackend()) !== undefined;
  if (fused) return tf.engine().runKernel(AXPBY, { x, y }, { a, b } as unknown as tf.NamedAttrMap) as tf.Tensor;
  return tf.tidy(() => tf.add(a === 1 ? x : tf.mul(x, a), b === 1 ? y : tf.mul(y, b)));
}
