import * as tf from '@tensorflow/tfjs';

/**
 * Probabilistic knowledge transfer (Passalis & Tefas 2018), as mdistiller computes it: each
 * model's cosine similarities between the batch's embeddings, moved to 0–1 and each row made a
 * distribution over the batch; the student's rows learn the teacher's by KL divergence (the mean
 * of its b² terms). Widths need not agree; no regressor is learnt.
 */
const EPS = 1e-7;

/** Each image's cosine similarity to every image of the batch, as (cos + 1) / 2, each row summing to 1. */
export function similarityDistributions(features: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = tf.reshape(features, [features.shape[0]!, -1]) as tf.Tensor2D;
    // mdistiller divides by ‖f‖ + ε, so an all-zero embedding (a dead ReLU layer) stays zero; the
    // length is taken as √max(‖f‖², 10⁻²⁴) so that its gradient there is 0, not NaN.
    const length = tf.sqrt(tf.maximum(tf.sum(tf.square(flat), 1, true), 1e-24));
    const unit = tf.div(flat, tf.add(length, EPS));
    const similarity = tf.div(tf.add(tf.matMul(unit, unit, false, true), 1), 2);
    return tf.div(similarity, tf.sum(similarity, 1, true)) as tf.Tensor2D;
  });
}

/** mean over the b² pairs of p_t · log((p_t + ε) / (p_s + ε)). */
export function pktLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const target = similarityDistributions(teacher);
    const model = similarityDistributions(student);
    return tf.mean(tf.mul(target, tf.sub(tf.log(tf.add(target, EPS)), tf.log(tf.add(model, EPS))))) as tf.Scalar;
  });
}
