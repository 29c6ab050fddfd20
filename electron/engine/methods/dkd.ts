import { crossEntropyLoss } from '../losses/cross-entropy';
import { dkdLoss } from '../losses/dkd';
import { logitsOnly, type DistillationMethod } from './method';

export const dkdMethod: DistillationMethod = {
  id: 'dkd',
  label: 'DKD',
  needsTeacher: true,
  prepare: ({ config }) =>
    logitsOnly(({ studentLogits, teacherLogits, labels, progress }) => {
      if (!teacherLogits) throw new Error('dkd needs teacher logits');
      // A linear ramp over the first `dkdWarmup` epochs, step by step.
      const warmup = config.dkdWarmup > 0 ? Math.min(progress / config.dkdWarmup, 1) : 1;
      const ce = crossEntropyLoss(labels, studentLogits);
      return dkdLoss(studentLogits, teacherLogits, labels, ce, { temperature: config.temperature, alpha: config.dkdAlpha, beta: config.dkdBeta, warmup });
    }, `CE + α·TCKD + β·NCKD, α = ${config.dkdAlpha}, β = ${config.dkdBeta}, T = ${config.temperature}, warm-up ${config.dkdWarmup} epochs`),
};
