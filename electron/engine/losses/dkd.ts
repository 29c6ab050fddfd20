import * as tf from '@tensorflow/tfjs';

/** A large negative added to the target logit to take it out of a softmax. */
const MASK = 1000;

export interface DkdTerms {
  /** Per example: T²·KL([p_t, 1−p_t] teacher ‖ student), the target-class term. */
  tckd: tf.Tensor1D;
  /** Per example: T²·KL over the non-target classes, each side renormalised without the target. */
  nckd: tf.Tensor1D;
  /** Per example: the teacher's probability of the target class at T. */
  teacherTarget: tf.Tensor1D;
}

/**
 * Decoupled KD (Zhao et al., CVPR 2022): KD = TCKD + (1 − p_t)·NCKD, where p_t is the
 * teacher's target probability; DKD reweights the two parts independently.
 */
export function dkdTerms(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, labels: tf.Tensor1D, T: number): DkdTerms {
  return tf.tidy(() => {
    const classes = studentLogits.shape[1];
    const gt = tf.oneHot(labels, classes).toFloat();
    const other = tf.sub(1, gt);
    const ps = tf.softmax(tf.div(studentLogits, T));
    const pt = tf.softmax(tf.div(teacherLogits, T));
    const binary = (p: tf.Tensor) => tf.concat([tf.sum(tf.mul(p, gt), -1, true), tf.sum(tf.mul(p, other), -1, true)], 1);
    const bs = tf.clipByValue(binary(ps), 1e-12, 1);
    const bt = tf.clipByValue(binary(pt), 1e-12, 1);
    const tckd = tf.mul(tf.sum(tf.mul(bt, tf.sub(tf.log(bt), tf.log(bs))), -1), T * T) as tf.Tensor1D;
    const logNonTargetStudent = tf.logSoftmax(tf.sub(tf.div(studentLogits, T), tf.mul(gt, MASK)));
    const logNonTargetTeacher = tf.logSoftmax(tf.sub(tf.div(teacherLogits, T), tf.mul(gt, MASK)));
    const nckd = tf.mul(tf.sum(tf.mul(tf.exp(logNonTargetTeacher), tf.sub(logNonTargetTeacher, logNonTargetStudent)), -1), T * T) as tf.Tensor1D;
    return { tckd, nckd, teacherTarget: tf.sum(tf.mul(pt, gt), -1) as tf.Tensor1D };
  });
}

export interface DkdOptions {
  temperature: number;
  /** Weight of the target-class term. */
  alpha: number;
  /** Weight of the non-target-class term. */
  beta: number;
  /** 0…1: DKD's warm-up ramps the distillation terms in over the first epochs. */
  warmup: number;
}

/** CE + warmup·(α·TCKD + β·NCKD), batch means. */
export function dkdLoss(studentLogits: tf.Tensor2D, teacherLogits: tf.Tensor2D, labels: tf.Tensor1D, ce: tf.Scalar, options: DkdOptions): tf.Scalar {
  return tf.tidy(() => {
    const { tckd, nckd } = dkdTerms(studentLogits, teacherLogits, labels, options.temperature);
    const kd = tf.add(tf.mul(options.alpha, tf.mean(tckd)), tf.mul(options.beta, tf.mean(nckd)));
    return tf.add(ce, tf.mul(options.warmup, kd)) as tf.Scalar;
  });
}
