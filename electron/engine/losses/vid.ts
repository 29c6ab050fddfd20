import * as tf from '@tensorflow/tfjs';

/**
 * Variational information distillation (Ahn et al. 2019), as mdistiller computes it: the teacher's
 * map is modelled as a Gaussian whose mean a regressor predicts from the student's map and whose
 * variance is learnt per channel; the loss is the negative log-likelihood (without its constant),
 * 0.5·((μ − t)²/σ² + log σ²), averaged over every value. σ² = softplus(logScale) + ε.
 */
export const VID_EPS = 1e-5;

export function vidLoss(predictedMean: tf.Tensor4D, teacher: tf.Tensor4D, logScale: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    // Channels last: the per-channel variance broadcasts over [n, h, w, c].
    const variance = tf.add(tf.softplus(logScale), VID_EPS);
    return tf.mean(tf.mul(0.5, tf.add(tf.div(tf.square(tf.sub(predictedMean, teacher)), variance), tf.log(variance)))) as tf.Scalar;
  });
}

/** The initial log-scale of every channel, so that σ² starts at `variance` (mdistiller: 5). */
export const initialLogScale = (variance: number) => Math.log(Math.exp(variance - VID_EPS) - 1);
