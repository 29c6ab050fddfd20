import * as tf from '@tensorflow/tfjs';

/**
 * Similarity-preserving KD (Tung & Mori 2019), as mdistiller computes it: each model's batch Gram
 * matrix G = f·fᵀ of its flattened features, each row scaled to unit length, compared by the
 * squared Frobenius distance over the batch size squared. Only images are compared with images, so
 * the two models' widths need not agree and no regressor is learnt.
 */
const EPS = 1e-12;

/** G = f·fᵀ, each row divided by its length (torch.nn.functional.normalize: by max(‖row‖, ε)). */
export function normalizedGram(features: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = tf.reshape(features, [features.shape[0]!, -1]) as tf.Tensor2D;
    const gram = tf.matMul(flat, flat, false, true);
    // max(‖row‖, ε) as √max(‖row‖², ε²): the same value, and a zero row (a dead ReLU layer) gets a gradient of 0, not NaN.
    const length = tf.sqrt(tf.maximum(tf.sum(tf.square(gram), 1, true), EPS * EPS));
    return tf.div(gram, length) as tf.Tensor2D;
  });
}

/** ‖Ĝ(student) − Ĝ(teacher)‖²_F / b² over a batch of b images. */
export function similarityPreservingLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const b = student.shape[0]!;
    return tf.div(tf.sum(tf.square(tf.sub(normalizedGram(teacher), normalizedGram(student)))), b * b) as tf.Scalar;
  });
}
