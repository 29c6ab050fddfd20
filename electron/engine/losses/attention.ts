import * as tf from '@tensorflow/tfjs';
import { applyAdaptivePool, type AdaptivePool, type PairPooling } from '../ops/adaptive-avg-pool';

/**
 * Zagoruyko & Komodakis (2017): a feature map's spatial attention is the channel mean of its
 * squared activations, flattened and L2-normalised. Features are [n, h, w, c] (channels last).
 * Where a pair's maps differ in size, the larger map's attention is average-pooled onto the
 * smaller's before normalising: pooling the energy, not the features, so that a teacher's map
 * kept as one channel (keptForAttention) pools exactly as its full map would.
 */
export function attentionMap(features: tf.Tensor4D, pool: AdaptivePool | null = null): tf.Tensor2D {
  return tf.tidy(() => {
    const [n] = features.shape;
    const energy = applyAdaptivePool(tf.mean(tf.square(features), -1, true) as tf.Tensor4D, pool);
    const map = tf.reshape(energy, [n, -1]) as tf.Tensor2D;
    const norm = tf.maximum(tf.norm(map, 'euclidean', -1, true), 1e-12);
    return tf.div(map, norm);
  });
}

/** Mean squared difference of the attention maps, summed over the paired stages. */
export function attentionTransferLoss(studentFeatures: tf.Tensor4D[], teacherFeatures: tf.Tensor4D[], pooling: readonly PairPooling[] = []): tf.Scalar {
  return tf.tidy(() =>
    tf.addN(studentFeatures.map((s, i) => tf.mean(tf.square(tf.sub(attentionMap(s, pooling[i]?.student), attentionMap(teacherFeatures[i]!, pooling[i]?.teacher)))))) as tf.Scalar,
  );
}
