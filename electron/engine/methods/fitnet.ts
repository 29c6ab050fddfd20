import * as tf from '@tensorflow/tfjs';
import { hintonKdLoss } from '../losses/hinton-kd';
import { formatCountOf } from '../../contract/display';
import { hintLoss } from '../losses/hint';
import { applyAdaptivePool } from '../ops/adaptive-avg-pool';
import { checkPairShapes, defaultHintPair, describePairs, disposePairPooling, pairPooling, parsePairs, type LayerPair } from './layer-pairing';
import type { MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

/** A learned map from the student's hint width to the teacher's: dense for vectors, 1×1 conv for maps. */
export interface Regressor {
  kernel: tf.Variable;
  bias: tf.Variable;
  apply(features: tf.Tensor): tf.Tensor;
}

/** tfjs variable names are global: number each regressor so a second run never collides. */
let regressorCount = 0;

export function createRegressor(pair: LayerPair, seed: number): Regressor {
  const id = ++regressorCount;
  const from = pair.student.shape.at(-1)!;
  const to = pair.teacher.shape.at(-1)!;
  const spatial = pair.student.shape.length === 3;
  const init = tf.initializers.glorotUniform({ seed });
  // A variable keeps its own reference to the data: dispose the initial values it was made from.
  const [kernelInit, biasInit] = [init.apply(spatial ? [1, 1, from, to] : [from, to]), tf.zeros([to])];
  const kernel = tf.variable(kernelInit, true, `hint_regressor_${id}_${pair.student.name}_kernel`);
  const bias = tf.variable(biasInit, true, `hint_regressor_${id}_${pair.student.name}_bias`);
  tf.dispose([kernelInit, biasInit]);
  return {
    kernel,
    bias,
    apply: (features) =>
      spatial ? tf.add(tf.conv2d(features as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same'), bias) : tf.add(tf.matMul(features as tf.Tensor2D, kernel as tf.Tensor2D), bias),
  };
}

/** Romero et al. (2015): first train the student's lower layers to predict the teacher's hint through a regressor, then KD. */
export const fitnetMethod: MethodImplementation = {
  prepare({ student, teacher, teacherTensors, config }) {
    const source = teacher ?? teacherTensors;
    if (!source) throw new Error('fitnet needs a teacher');
    const options = config.methodOptions.fitnet;
    // The KD stage after the hints uses KD's own T, α and warm-up, from where it starts: its classifier is untrained then.
    const { temperature, alpha, warmup } = config.methodOptions.kd;
    // An imported teacher's tensors are named by the pairs (teacherFeaturePlan asks for them).
    const pairs = options.featurePairs ? parsePairs(options.featurePairs, student, source) : defaultHintPair(student, teacher!);
    checkPairShapes(pairs, 'FitNets');
    // Maps of different sizes: the regressed student's and the teacher's, each pooled to the smaller.
    const pooling = pairs.map(pairPooling);
    const regressors = pairs.map((pair, i) => createRegressor(pair, config.seed + 7919 + i));
    const hintEpochs = options.hintEpochs ?? Math.max(1, Math.round(config.epochs / 4));
    return {
      studentFeatureLayers: pairs.map((p) => p.student.name),
      teacherFeatureLayers: pairs.map((p) => p.teacher.name),
      extraVariables: regressors.flatMap((r) => [r.kernel, r.bias]),
      description: `hints ${describePairs(pairs)} for ${formatCountOf(hintEpochs, 'epoch')}, then KD (T = ${temperature}, α = ${alpha}${describeWarmup(warmup, config.epochs > hintEpochs ? config.epochs - hintEpochs : undefined)})`,
      loss({ studentFeatures, teacherFeatures, studentLogits, teacherLogits, labels, epoch, progress }) {
        if (epoch <= hintEpochs) {
          return tf.tidy(() => tf.addN(regressors.map((r, i) => hintLoss(applyAdaptivePool(r.apply(studentFeatures[i]!), pooling[i]!.student), applyAdaptivePool(teacherFeatures[i]!, pooling[i]!.teacher)))) as tf.Scalar);
        }
        return hintonKdLoss(studentLogits, teacherLogits!, labels, { temperature, alpha: alpha * warmupRamp(progress - hintEpochs, warmup) });
      },
      dispose: () => {
        tf.dispose(regressors.flatMap((r) => [r.kernel, r.bias]));
        disposePairPooling(pooling);
      },
    };
  },
};
