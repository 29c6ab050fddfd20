import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { nstLoss } from '../losses/nst';
import { describePairs, disposePairPooling, stageMapPairs } from './layer-pairing';
import type { MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

/** Huang & Wang (2017), as mdistiller: CE + w·Σ MMD² of the channels' spatial patterns at the paired stage outputs. */
export const nstMethod: MethodImplementation = {
  prepare({ student, teacher, teacherTensors, config }) {
    const source = teacher ?? teacherTensors;
    if (!source) throw new Error('nst needs a teacher');
    const { featurePairs, weight, warmup: warmupEpochs } = config.methodOptions.nst;
    const { pairs, pooling } = stageMapPairs(student, source, featurePairs, 'neuron selectivity transfer');
    return {
      studentFeatureLayers: pairs.map((p) => p.student.name),
      teacherFeatureLayers: pairs.map((p) => p.teacher.name),
      extraVariables: [],
      description: `channel patterns ${describePairs(pairs)}, weight ${weight}${describeWarmup(warmupEpochs, config.epochs)}`,
      loss: ({ studentFeatures, teacherFeatures, studentLogits, labels, progress }) => {
        const ramp = warmupRamp(progress, warmupEpochs);
        return tf.tidy(() => {
          const ce = crossEntropyLoss(labels, studentLogits);
          return ramp > 0 ? tf.add(ce, tf.mul(weight * ramp, nstLoss(studentFeatures as tf.Tensor4D[], teacherFeatures as tf.Tensor4D[], pooling))) : ce;
        });
      },
      dispose: () => disposePairPooling(pooling),
    };
  },
};
