import type * as tf from '@tensorflow/tfjs';
import type { Method, RunConfig } from '../../contract/run-config';
import { crossEntropyLoss } from './cross-entropy';
import { hintonKdLoss } from './hinton-kd';

export interface LossInputs {
  studentLogits: tf.Tensor2D;
  labels: tf.Tensor1D;
  /** Present when the method needs a teacher. */
  teacherLogits: tf.Tensor2D | null;
}

/** A distillation method: its loss, and whether it needs the teacher's outputs. */
export interface DistillationMethod {
  id: Method;
  needsTeacher: boolean;
  loss(inputs: LossInputs, config: RunConfig): tf.Scalar;
}

const METHODS: Record<Method, DistillationMethod> = {
  kd: {
    id: 'kd',
    needsTeacher: true,
    loss: ({ studentLogits, teacherLogits, labels }, config) => {
      if (!teacherLogits) throw new Error('kd needs teacher logits');
      return hintonKdLoss(studentLogits, teacherLogits, labels, { temperature: config.temperature, alpha: config.alpha });
    },
  },
  baseline: {
    id: 'baseline',
    needsTeacher: false,
    loss: ({ studentLogits, labels }) => crossEntropyLoss(labels, studentLogits),
  },
};

export function getMethod(id: Method): DistillationMethod {
  return METHODS[id];
}
