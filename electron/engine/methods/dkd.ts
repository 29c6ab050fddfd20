import { crossEntropyLoss } from '../losses/cross-entropy';
import { dkdLoss } from '../losses/dkd';
import { logitsOnly, type MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

export const dkdMethod: MethodImplementation = {
  prepare: ({ config }) => {
    const { alpha, beta, warmup: warmupEpochs } = config.methodOptions.dkd;
    const { temperature } = config.methodOptions.kd;
    return logitsOnly(({ studentLogits, teacherLogits, labels, progress }) => {
      if (!teacherLogits) throw new Error('dkd needs teacher logits');
      const warmup = warmupRamp(progress, warmupEpochs);
      const ce = crossEntropyLoss(labels, studentLogits);
      return dkdLoss(studentLogits, teacherLogits, labels, ce, { temperature, alpha, beta, warmup });
    }, `CE + α·TCKD + β·NCKD, α = ${alpha}, β = ${beta}, T = ${temperature}${describeWarmup(warmupEpochs, config.epochs)}`);
  },
};
