import * as tf from '@tensorflow/tfjs';

/** Mean softmax cross-entropy of integer labels against logits. */
export function crossEntropyLoss(labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const oneHot = tf.oneHot(labels, classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1)));
  });
}
