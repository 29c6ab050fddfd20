import { distLoss } from '../losses/dist';
import { logitsOnly, type MethodImplementation } from './method';

export const distMethod: MethodImplementation = {
  prepare: ({ config }) => {
    const { temperature, alpha } = config.methodOptions.kd;
    const { interWeight, intraWeight } = config.methodOptions.dist;
    return logitsOnly(({ studentLogits, teacherLogits, labels }) => {
      if (!teacherLogits) throw new Error('dist needs teacher logits');
      return distLoss(studentLogits, teacherLogits, labels, { temperature, alpha, interWeight, intraWeight });
    }, `α·T²·[β·(1 − ρ between classes) + γ·(1 − ρ within classes)] + (1−α)·CE, T = ${temperature}, α = ${alpha}, β = ${interWeight}, γ = ${intraWeight}`);
  },
};
