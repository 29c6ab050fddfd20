import * as tf from '@tensorflow/tfjs';
import { applyAdaptivePool, type PairPooling } from '../ops/adaptive-avg-pool';

/**
 * Neuron selectivity transfer (Huang & Wang 2017), as mdistiller computes it: each channel of a
 * map is a sample of where it fires over the image (its h·w values, scaled to unit length), and
 * the student's channels learn the teacher's distribution of them by the squared maximum mean
 * discrepancy with the polynomial kernel k(a, b) = (a·b)². Channel counts need not agree; maps of
 * different sizes are compared pooled to the smaller (mdistiller pools the larger the same way).
 */

/** [n, h, w, c] → [n, c, h·w], each channel's row of unit length (F.normalize: by max(‖row‖, ε)). */
function channelRows(features: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, c] = features.shape;
  const rows = tf.transpose(tf.reshape(features, [n, h * w, c]), [0, 2, 1]);
  // √max(‖row‖², ε²): max(‖row‖, ε), with a gradient of 0 (not NaN) on a channel that never fires.
  const length = tf.sqrt(tf.maximum(tf.sum(tf.square(rows), 2, true), 1e-24));
  return tf.div(rows, length) as tf.Tensor3D;
}

/** The mean over images and channel pairs of (a_i · b_j)². */
const polyKernelMean = (a: tf.Tensor3D, b: tf.Tensor3D) => tf.mean(tf.square(tf.matMul(a, b, false, true)));

/** MMD² between the student's and the teacher's channels for one pair of maps. */
export function nstStageLoss(student: tf.Tensor4D, teacher: tf.Tensor4D, pooling?: PairPooling): tf.Scalar {
  return tf.tidy(() => {
    const s = channelRows(applyAdaptivePool(student, pooling?.student ?? null));
    const t = channelRows(applyAdaptivePool(teacher, pooling?.teacher ?? null));
    return tf.sub(tf.add(polyKernelMean(t, t), polyKernelMean(s, s)), tf.mul(2, polyKernelMean(s, t))) as tf.Scalar;
  });
}

/** The NST term summed over the paired stages. */
export function nstLoss(studentFeatures: tf.Tensor4D[], teacherFeatures: tf.Tensor4D[], pooling: readonly PairPooling[] = []): tf.Scalar {
  return tf.tidy(() => tf.addN(studentFeatures.map((s, i) => nstStageLoss(s, teacherFeatures[i]!, pooling[i]))) as tf.Scalar);
}
