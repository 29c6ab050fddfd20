import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { ofdMargins, ofdPartialL2 } from '../losses/ofd';
import { applyAdaptivePool } from '../ops/adaptive-avg-pool';
import { batchNormOfBatch } from '../ops/batch-norm-of-batch';
import { DistillInputError } from '../errors';
import { beforeRelu, describePairs, disposePairPooling, stageMapPairs, type FeatureLayer } from './layer-pairing';
import type { MethodImplementation } from './method';
import { variableFrom } from './variables';
import { describeWarmup, warmupRamp } from './warmup';

/** tfjs variable names are global: number each connector so a second run never collides. */
let connectorCount = 0;

/**
 * The batch norm whose output the teacher's ReLU reads, directly (VGG) or through the block's
 * addition (ResNet: the residual branch's last batch norm, as mdistiller's `get_bn_before_relu`).
 */
function batchNormBefore(teacher: tf.LayersModel, preact: FeatureLayer): tf.layers.Layer | null {
  const layer = teacher.getLayer(preact.name);
  const isNorm = (l: tf.layers.Layer) => l.getClassName() === 'BatchNormalization';
  if (isNorm(layer)) return layer;
  if (layer.getClassName() === 'Add') return layer.inboundNodes[0]!.inboundLayers.find(isNorm) ?? null;
  return null;
}

/** A tfjs-layers batch norm's scale and shift (private in its typings; null where it has none). */
interface BatchNormScaleShift {
  gamma: { read(): tf.Tensor } | null;
  beta: { read(): tf.Tensor } | null;
}

/**
 * Each channel's margin (ofdMargins) from that batch norm's scale and shift, read from the layer
 * itself: its variables' names carry a suffix (`gamma_2`) once a model of the same names was built.
 */
function marginsOf(norm: tf.layers.Layer): tf.Tensor1D {
  const { gamma, beta } = norm as unknown as BatchNormScaleShift;
  const channels = (norm.outputShape as number[]).at(-1)!;
  return tf.tidy(() => ofdMargins((gamma?.read() ?? tf.ones([channels])) as tf.Tensor1D, (beta?.read() ?? tf.zeros([channels])) as tf.Tensor1D));
}

/**
 * Heo et al. (2019), as mdistiller: CE + w·Σ 2^−(n−1−i)·partial L2(connector(student stage i),
 * teacher stage i before its ReLU), each connector a 1×1 convolution and batch norm into the
 * teacher's channels. The student's maps are read before their ReLU too where a ReLU layer of
 * their own ends them, as mdistiller's are.
 */
export const ofdMethod: MethodImplementation = {
  prepare({ student, teacher, config }) {
    if (!teacher) throw new DistillInputError("OFD reads the batch norms before the teacher's ReLUs, which an imported teacher does not give: use attention transfer, NST, VID or ReviewKD with it");
    const { featurePairs, weight, warmup: warmupEpochs } = config.methodOptions.ofd;
    const { pairs: stagePairs, pooling } = stageMapPairs(student, teacher, featurePairs, 'OFD');
    const pairs = stagePairs.map((pair) => {
      const preact = beforeRelu(teacher, pair.teacher);
      const norm = preact && batchNormBefore(teacher, preact);
      if (!preact || !norm) throw new DistillInputError(`OFD needs the teacher's stage maps before a ReLU that follows a batch norm (ResNet, VGG); ${teacher.name}'s ${pair.teacher.name} has none: use attention transfer, NST, VID or ReviewKD with it`);
      return { student: beforeRelu(student, pair.student) ?? pair.student, teacher: preact, norm };
    });
    const margins = pairs.map((pair) => marginsOf(pair.norm));
    const id = ++connectorCount;
    const connectors = pairs.map((pair, i) => {
      const [inChannels, outChannels] = [pair.student.shape[2]!, pair.teacher.shape[2]!];
      const name = (part: string) => `ofd_connector_${id}_${i}_${part}`;
      return {
        // mdistiller's start: normal(0, √(2/n)), n = kernel area × output channels; batch norm's scale 1, shift 0.
        kernel: variableFrom(tf.randomNormal([1, 1, inChannels, outChannels], 0, Math.sqrt(2 / outChannels), 'float32', config.seed + 6151 + 13 * i), true, name('kernel')),
        gamma: variableFrom(tf.ones([outChannels]), true, name('gamma')),
        beta: variableFrom(tf.zeros([outChannels]), true, name('beta')),
      };
    });
    // The deepest stage weighs 1, each shallower one half the one after it.
    const levelWeights = pairs.map((_, i) => 2 ** -(pairs.length - 1 - i));
    return {
      studentFeatureLayers: pairs.map((p) => p.student.name),
      teacherFeatureLayers: pairs.map((p) => p.teacher.name),
      extraVariables: connectors.flatMap((c) => [c.kernel, c.gamma, c.beta]),
      description: `partial L2 between ${describePairs(pairs)} (the teacher's maps before their ReLU, clipped at their margins), through 1×1 connectors, weight ${weight}${describeWarmup(warmupEpochs, config.epochs)}`,
      loss: ({ studentFeatures, teacherFeatures, studentLogits, labels, progress }) => {
        const ramp = warmupRamp(progress, warmupEpochs);
        return tf.tidy(() => {
          const ce = crossEntropyLoss(labels, studentLogits);
          if (ramp === 0) return ce;
          const terms = connectors.map(({ kernel, gamma, beta }, i) => {
            const connected = batchNormOfBatch(tf.conv2d(studentFeatures[i] as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid'), gamma, beta);
            // Maps of other sizes are compared at the smaller size, each side average-pooled to it.
            const s = applyAdaptivePool(connected, pooling[i]!.student);
            const t = applyAdaptivePool(teacherFeatures[i] as tf.Tensor4D, pooling[i]!.teacher);
            return tf.mul(levelWeights[i]!, ofdPartialL2(s, t, margins[i]!));
          });
          return tf.add(ce, tf.mul(weight * ramp, tf.addN(terms)));
        });
      },
      dispose: () => {
        disposePairPooling(pooling);
        tf.dispose([...margins, ...connectors.flatMap((c) => [c.kernel, c.gamma, c.beta])]);
      },
    };
  },
};
