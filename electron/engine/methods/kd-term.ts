import * as tf from '@tensorflow/tfjs';
import { kdTermWeight, type MethodId } from '../../contract/catalogue';
import type { RunConfig } from '../../contract/run-config';
import { softTargetKl } from '../losses/hinton-kd';
import type { PreparedMethod } from './method';
import { describeWarmup, warmupRamp } from './warmup';

/**
 * A feature or relation method with Hinton's soft term added to its own loss, as Tian et al.
 * (RepDistiller) combine every method with KD: the method's loss + w·T²·KL(teacher ‖ student at
 * T), at KD's T, w ramped up over KD's warm-up. Returned as it is where w = 0. The prepared
 * method is changed in place: its other members (CRD's memory is a getter) stay as they are.
 */
export function withKdTerm(prepared: PreparedMethod, method: MethodId, config: RunConfig): PreparedMethod {
  const weight = kdTermWeight(method, config.methodOptions);
  if (weight <= 0) return prepared;
  const { temperature, warmup } = config.methodOptions.kd;
  const own = prepared.loss.bind(prepared);
  prepared.loss = (inputs) => {
    const { studentLogits, teacherLogits, progress } = inputs;
    if (!teacherLogits) throw new Error(`${method} with --kd-weight needs the teacher's logits`);
    const ramped = weight * warmupRamp(progress, warmup) * temperature * temperature;
    return tf.tidy(() => tf.add(own(inputs), tf.mul(ramped, softTargetKl(studentLogits, teacherLogits, temperature))));
  };
  prepared.description = `${prepared.description}; plus KD's soft term, weight ${weight}, T = ${temperature}${describeWarmup(warmup, config.epochs)}`;
  return prepared;
}
