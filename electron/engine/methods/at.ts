import * as tf from '@tensorflow/tfjs';
import { attentionTransferLoss } from '../losses/attention';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { describePairs, disposePairPooling, stageMapPairs } from './layer-pairing';
import type { MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

/** Zagoruyko & Komodakis (2017): CE + β·Σ‖a(s) − a(t)‖² over paired stage outputs. */
export const atMethod: MethodImplementation = {
  prepare({ student, teacher, teacherTensors, config }) {
    const source = teacher ?? teacherTensors;
    if (!source) throw new Error('at needs a teacher');
    const { featurePairs, weight, warmup: warmupEpochs } = config.methodOptions.at;
    const { pairs, pooling } = stageMapPairs(student, source, featurePairs, 'attention transfer');
    return {
      studentFeatureLayers: pairs.map((p) => p.student.name),
      teacherFeatureLayers: pairs.map((p) => p.teacher.name),
      extraVariables: [],
      description: `attention maps ${describePairs(pairs)}, β = ${weight}${describeWarmup(warmupEpochs, config.epochs)}`,
      loss: ({ studentFeatures, teacherFeatures, studentLogits, labels, progress }) => {
        // β ramps up, as DKD's terms do (the catalogue's help says why).
        const beta = weight * warmupRamp(progress, warmupEpochs);
        return tf.tidy(() => tf.add(crossEntropyLoss(labels, studentLogits), tf.mul(beta, attentionTransferLoss(studentFeatures as tf.Tensor4D[], teacherFeatures as tf.Tensor4D[], pooling))));
      },
      dispose: () => disposePairPooling(pooling),
    };
  },
};
