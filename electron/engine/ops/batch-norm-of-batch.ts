import * as tf from '@tensorflow/tfjs';

/**
 * Batch norm over the batch and both spatial axes, biased variance, ε = 10⁻⁵: PyTorch's
 * BatchNorm2d in training. The per-channel sums are products with a row of ones: wasm reduces
 * over leading axes by transposing first, which made tf.moments most of a step's time.
 */
export function batchNormOfBatch(x: tf.Tensor4D, gamma: tf.Variable, beta: tf.Variable): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const count = n * h * w;
  const rows = tf.reshape(x, [count, c]) as tf.Tensor2D;
  const ones = tf.fill([1, count], 1 / count) as tf.Tensor2D;
  const centred = tf.sub(rows, tf.matMul(ones, rows));
  const variance = tf.matMul(ones, tf.square(centred));
  const normalised = tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.reshape(tf.add(tf.mul(normalised, gamma), beta), [n, h, w, c]) as tf.Tensor4D;
}
