import * as tf from '@tensorflow/tfjs';

/**
 * Heo et al. (2019)'s partial L2 distance, as mdistiller's `feat_loss`, between a student map
 * (through its connector) and the teacher's before its ReLU, summed over the map and averaged over
 * the batch. Where the teacher's value is positive every difference counts; where it is negative
 * only a student value above it does, and below the channel's margin only one above the margin:
 *
 *   t ≤ m: (s − m)² if s > m;   m < t ≤ 0: (s − t)² if s > t;   t > 0: (s − t)².
 *
 * `margin` is per channel (NHWC's last axis), negative.
 */
export function ofdPartialL2(student: tf.Tensor4D, teacher: tf.Tensor4D, margin: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.maximum(teacher, margin);
    const difference = tf.sub(student, target);
    // Which differences count, as a 0/1 mask made by steps (whose gradient is zero; boolean ops have none).
    const counts = tf.maximum(tf.step(teacher), tf.step(difference));
    return tf.div(tf.sum(tf.mul(counts, tf.square(difference))), student.shape[0]) as tf.Scalar;
  });
}

/**
 * Each channel's margin from the batch norm before the teacher's ReLU, whose output is taken as
 * N(β, γ²): the mean of its negative values, E[x | x < 0] = β − |γ|·φ(β/|γ|)/Φ(−β/|γ|), or −3|γ|
 * where a negative value is rarer than 1 in 1,000 (mdistiller's rule). Computed as tensors, so
 * nothing is read back from the device.
 */
export function ofdMargins(gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const std = tf.maximum(tf.abs(gamma), 1e-12);
    const z = tf.div(beta, std);
    // Φ(−z) = (1 − erf(z/√2))/2.
    const below = tf.mul(0.5, tf.sub(1, tf.erf(tf.div(z, Math.SQRT2))));
    const density = tf.div(tf.exp(tf.mul(-0.5, tf.square(z))), Math.sqrt(2 * Math.PI));
    const mean = tf.add(tf.neg(tf.div(tf.mul(std, density), tf.maximum(below, 1e-3))), beta);
    return tf.where(tf.greater(below, 0.001), mean, tf.mul(-3, std)) as tf.Tensor1D;
  });
}
