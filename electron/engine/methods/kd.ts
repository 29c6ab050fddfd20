import { crossEntropyLoss } from '../losses/cross-entropy';
import { hintonKdLoss } from '../losses/hinton-kd';
import { logitsOnly, type MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

export const baselineMethod: MethodImplementation = {
  prepare: () => logitsOnly(({ labels, studentLogits }) => crossEntropyLoss(labels, studentLogits), 'cross-entropy with the labels'),
};

export const kdMethod: MethodImplementation = {
  prepare: ({ config }) => {
    const { temperature, alpha, warmup } = config.methodOptions.kd;
    return logitsOnly(({ studentLogits, teacherLogits, labels, progress }) => {
      if (!teacherLogits) throw new Error('kd needs teacher logits');
      return hintonKdLoss(studentLogits, teacherLogits, labels, { temperature, alpha: alpha * warmupRamp(progress, warmup) });
    }, `α·T²·KL + (1−α)·CE, T = ${temperature}, α = ${alpha}${describeWarmup(warmup, config.epochs)}`);
  },
};
