import * as tf from '@tensorflow/tfjs';

/** Kernel name of a·x + b·y, registered by this project for the backends where it saves dispatches. */
export const AXPBY = 'DistillAxpby';

export interface AxpbyAttrs {
  a: number;
  b: number;
}

/**
 * a·x + b·s·y for two float32 tensors of one shape (s, a one-element tensor, is optional), as one
 * kernel where the backend has it (every kernel is a dispatch with its own host cost on a GPU, and
 * an optimizer step or a moving average is nothing but this), else as tfjs's multiply and add.
 * `s` carries a factor that changes from step to step (the learning rate) as data, not as a
 * kernel constant, so that a recorded step (backend/webgpu-step) can be replayed with a new one.
 * No gradient: it serves updates.
 */
export function axpby(a: number, x: tf.Tensor, b: number, y: tf.Tensor, s?: tf.Tensor): tf.Tensor {
  const fused = x.dtype === 'float32' && y.dtype === 'float32' && tf.util.arraysEqual(x.shape, y.shape) && tf.getKernel(AXPBY, tf.getBackend()) !== undefined;
  if (fused) return tf.engine().runKernel(AXPBY, s ? { x, y, s } : { x, y }, { a, b } as unknown as tf.NamedAttrMap) as tf.Tensor;
  return tf.tidy(() => {
    const by = s ? tf.mul(y, tf.mul(tf.reshape(s, []), b)) : b === 1 ? y : tf.mul(y, b);
    return tf.add(a === 1 ? x : tf.mul(x, a), by);
  });
}
