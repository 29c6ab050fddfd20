import * as tf from '@tensorflow/tfjs';

/**
 * Zagoruyko & Komodakis (2017): a feature map's spatial attention is the channel mean of its
 * squared activations, flattened and L2-normalised. Features are [n, h, w, c] (channels last).
 */
export function attentionMap(features: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const [n] = features.shape;
    const map = tf.reshape(tf.mean(tf.square(features), -1), [n, -1]) as tf.Tensor2D;
    const norm = tf.maximum(tf.norm(map, 'euclidean', -1, true), 1e-12);
    return tf.div(map, norm);
  });
}

/** Mean squared difference of the attention maps, summed over the paired stages. */
export function attentionTransferLoss(studentFeatures: tf.Tensor4D[], teacherFeatures: tf.Tensor4D[]): tf.Scalar {
  return tf.tidy(() =>
    tf.addN(studentFeatures.map((s, i) => tf.mean(tf.square(tf.sub(attentionMap(s), attentionMap(teacherFeatures[i]!)))))) as tf.Scalar,
  );
}
