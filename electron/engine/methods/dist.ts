import { distLoss } from '../losses/dist';
import { logitsOnly, type MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

export const distMethod: MethodImplementation = {
  prepare: ({ config }) => {
    // KD's T and α: the relation terms are scaled by α·T² as KD's soft term is. Its own warm-up.
    const { temperature, alpha } = config.methodOptions.kd;
    const { interWeight, intraWeight, warmup } = config.methodOptions.dist;
    return logitsOnly(({ studentLogits, teacherLogits, labels, progress }) => {
      if (!teacherLogits) throw new Error('dist needs teacher logits');
      return distLoss(studentLogits, teacherLogits, labels, { temperature, alpha: alpha * warmupRamp(progress, warmup), interWeight, intraWeight });
    }, `α·T²·[β·(1 − ρ between classes) + γ·(1 − ρ within classes)] + (1−α)·CE, T = ${temperature}, α = ${alpha}, β = ${interWeight}, γ = ${intraWeight}${describeWarmup(warmup, config.epochs)}`);
  },
};
