import * as tf from '@tensorflow/tfjs';

/** FitNets (Romero et al., 2015): ½·mean squared error between the regressed student hint and the teacher's. */
export function hintLoss(regressedStudent: tf.Tensor, teacherHint: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul(0.5, tf.mean(tf.square(tf.sub(regressedStudent, teacherHint)))) as tf.Scalar);
}
