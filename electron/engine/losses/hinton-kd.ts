import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from './cross-entropy';

export interface HintonKdOptions {
  /** Softens both distributions; T = 1 is the plain softmax. */
  temperature: number;
  /** Weight of the soft term; α = 0 is plain cross-entropy. */
  alpha: number;
}

/**
 * Hinton, Vinyals & Dean (2015):
 *   L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1−α)·CE(y, s)
 * The T² keeps the soft term's gradients on the same scale as T changes.
 * Teacher logits carry no gradient: they are plain inputs here.
 */
export function hintonKdLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  { temperature: T, alpha }: HintonKdOptions,
): tf.Scalar {
  return tf.tidy(() => {
    const soft = softTargetKl(studentLogits, teacherLogits, T);
    const hard = crossEntropyLoss(labels, studentLogits);
    return tf.add(tf.mul(alpha * T * T, soft), tf.mul(1 - alpha, hard));
  });
}

/** Batch mean of KL(softmax(t/T) ‖ softmax(s/T)). */
export function softTargetKl(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, T: number): tf.Scalar {
  return tf.tidy(() => {
    const logTeacher = tf.logSoftmax(tf.div(teacherLogits, T));
    const logStudent = tf.logSoftmax(tf.div(studentLogits, T));
    return tf.mean(tf.sum(tf.mul(tf.exp(logTeacher), tf.sub(logTeacher, logStudent)), -1));
  });
}
