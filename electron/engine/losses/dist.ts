import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from './cross-entropy';

export interface DistLossOptions {
  temperature: number;
  /** Weight of the relation terms against cross-entropy, as KD's α. */
  alpha: number;
  /** β: weight of the inter-class term (each image's class ranking). */
  interWeight: number;
  /** γ: weight of the intra-class term (each class's ranking of the batch's images). */
  intraWeight: number;
}

/** Centred along `axis` and scaled to unit length; the ε inside the root keeps the gradient finite for a constant vector. */
function standardized(x: tf.Tensor2D, axis: 0 | 1): tf.Tensor2D {
  const centred = tf.sub(x, tf.mean(x, axis, true));
  return tf.div(centred, tf.sqrt(tf.add(tf.sum(tf.square(centred), axis, true), 1e-12)));
}

/** Mean Pearson correlation between a and b along `axis` (1: per row, 0: per column). */
export function meanPearson(a: tf.Tensor2D, b: tf.Tensor2D, axis: 0 | 1): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.mul(standardized(a, axis), standardized(b, axis)), axis)));
}

/**
 * DIST (Huang et al. 2022, "Knowledge distillation from a stronger teacher"): instead of the
 * teacher's exact probabilities, the student matches their correlations, so a student too small
 * to reproduce them can still keep their order:
 *   L = α·T²·[β·(1 − ρ over classes, per image) + γ·(1 − ρ over the batch, per class)] + (1 − α)·CE
 * With α = ½ and β = γ = 1 this is half the paper's CE + inter + intra.
 */
export function distLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, labels: tf.Tensor1D, { temperature: T, alpha, interWeight, intraWeight }: DistLossOptions): tf.Scalar {
  return tf.tidy(() => {
    const student = tf.softmax(tf.div(studentLogits, T)) as tf.Tensor2D;
    const teacher = tf.softmax(tf.div(teacherLogits, T)) as tf.Tensor2D;
    const inter = tf.sub(1, meanPearson(student, teacher, 1));
    const intra = tf.sub(1, meanPearson(student, teacher, 0));
    const relation = tf.add(tf.mul(interWeight, inter), tf.mul(intraWeight, intra));
    return tf.add(tf.mul(alpha * T * T, relation), tf.mul(1 - alpha, crossEntropyLoss(labels, studentLogits)));
  });
}
