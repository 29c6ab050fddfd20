import * as tf from '@tensorflow/tfjs';
import { DistillInputError } from '../errors';
import { attentionTransferLoss } from '../losses/attention';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { checkPairShapes, defaultAttentionPairs, describePairs, disposePairPooling, pairPooling, parsePairs } from './layer-pairing';
import type { MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

/** Zagoruyko & Komodakis (2017): CE + β·Σ‖a(s) − a(t)‖² over paired stage outputs. */
export const atMethod: MethodImplementation = {
  prepare({ student, teacher, teacherTensors, config }) {
    const source = teacher ?? teacherTensors;
    if (!source) throw new Error('at needs a teacher');
    const { featurePairs, weight, warmup: warmupEpochs } = config.methodOptions.at;
    // An imported teacher's tensors are named by the pairs (teacherFeaturePlan asks for them).
    const pairs = featurePairs ? parsePairs(featurePairs, student, source) : defaultAttentionPairs(student, teacher!);
    checkPairShapes(pairs, 'attention transfer');
    if (pairs.some((p) => p.student.shape.length !== 3)) throw new DistillInputError('attention transfer pairs feature maps, not vectors');
    const pooling = pairs.map(pairPooling);
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
