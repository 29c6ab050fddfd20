import { formatCountOf } from '../../contract/display';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { dkdLoss } from '../losses/dkd';
import { logitsOnly, type MethodImplementation } from './method';

export const dkdMethod: MethodImplementation = {
  prepare: ({ config }) => {
    const { alpha, beta, warmup: warmupEpochs } = config.methodOptions.dkd;
    const { temperature } = config.methodOptions.kd;
    return logitsOnly(({ studentLogits, teacherLogits, labels, progress }) => {
      if (!teacherLogits) throw new Error('dkd needs teacher logits');
      // A linear ramp over the first `warmup` epochs, step by step.
      const warmup = warmupEpochs > 0 ? Math.min(progress / warmupEpochs, 1) : 1;
      const ce = crossEntropyLoss(labels, studentLogits);
      return dkdLoss(studentLogits, teacherLogits, labels, ce, { temperature, alpha, beta, warmup });
    }, `CE + α·TCKD + β·NCKD, α = ${alpha}, β = ${beta}, T = ${temperature}, warm-up ${formatCountOf(warmupEpochs, 'epoch')}`);
  },
};
