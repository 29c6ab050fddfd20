import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { initialLogScale, vidLoss } from '../losses/vid';
import { applyAdaptivePool } from '../ops/adaptive-avg-pool';
import { createRegressor, type Regressor } from './fitnet';
import { describePairs, disposePairPooling, stageMapPairs, type LayerPair } from './layer-pairing';
import type { MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

/** mdistiller's VID regressor: 1×1 conv to the teacher's channels, ReLU, 1×1 conv, ReLU, 1×1 conv. */
function vidRegressor(pair: LayerPair, seed: number): { layers: Regressor[]; apply(features: tf.Tensor): tf.Tensor } {
  const teacherToTeacher = { student: pair.teacher, teacher: pair.teacher };
  const layers = [createRegressor(pair, seed), createRegressor(teacherToTeacher, seed + 1), createRegressor(teacherToTeacher, seed + 2)];
  return { layers, apply: (features) => layers[2]!.apply(tf.relu(layers[1]!.apply(tf.relu(layers[0]!.apply(features))))) };
}

/** tfjs variable names are global: number each run's variances so a second run never collides. */
let varianceCount = 0;

/** Ahn et al. (2019), as mdistiller: CE + w·Σ the teacher's maps' negative log-likelihood under the student's Gaussians. */
export const vidMethod: MethodImplementation = {
  prepare({ student, teacher, teacherTensors, config }) {
    const source = teacher ?? teacherTensors;
    if (!source) throw new Error('vid needs a teacher');
    const { featurePairs, weight, initialVariance, warmup: warmupEpochs } = config.methodOptions.vid;
    const { pairs, pooling } = stageMapPairs(student, source, featurePairs, 'variational information distillation');
    const regressors = pairs.map((pair, i) => vidRegressor(pair, config.seed + 7919 + 3 * i));
    const id = ++varianceCount;
    const logScales = pairs.map((pair) =>
      tf.tidy(() => tf.variable(tf.fill([pair.teacher.shape[2]!], initialLogScale(initialVariance)) as tf.Tensor1D, true, `vid_log_scale_${id}_${pair.student.name}`)),
    );
    return {
      studentFeatureLayers: pairs.map((p) => p.student.name),
      teacherFeatureLayers: pairs.map((p) => p.teacher.name),
      extraVariables: [...regressors.flatMap((r) => r.layers.flatMap((l) => [l.kernel, l.bias])), ...logScales],
      description: `Gaussians for ${describePairs(pairs)}, weight ${weight}, initial variance ${initialVariance}${describeWarmup(warmupEpochs, config.epochs)}`,
      loss: ({ studentFeatures, teacherFeatures, studentLogits, labels, progress }) => {
        const ramp = warmupRamp(progress, warmupEpochs);
        return tf.tidy(() => {
          const ce = crossEntropyLoss(labels, studentLogits);
          if (ramp === 0) return ce;
          // Each side pooled to the smaller map first, as mdistiller pools before its regressor.
          const terms = pairs.map((_, i) =>
            vidLoss(regressors[i]!.apply(applyAdaptivePool(studentFeatures[i]!, pooling[i]!.student)) as tf.Tensor4D, applyAdaptivePool(teacherFeatures[i]! as tf.Tensor4D, pooling[i]!.teacher), logScales[i] as tf.Tensor1D),
          );
          return tf.add(ce, tf.mul(weight * ramp, tf.addN(terms)));
        });
      },
      dispose: () => {
        disposePairPooling(pooling);
        tf.dispose([...regressors.flatMap((r) => r.layers.flatMap((l) => [l.kernel, l.bias])), ...logScales]);
      },
    };
  },
};
