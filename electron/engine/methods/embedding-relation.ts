import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { describePairs, embeddingLayer } from './layer-pairing';
import type { MethodImplementation } from './method';
import { describeWarmup, warmupRamp } from './warmup';

/**
 * A method that compares the batch's images with each other in the embeddings the two classifiers
 * read (RKD, SP, PKT): cross-entropy plus its relation term. Only images meet images, so the
 * widths need not agree and nothing extra is learnt.
 */
export function embeddingRelationMethod({ label, compares, relation, weights, warmup }: {
  /** The method's name in a refusal. */
  label: string;
  /** What it compares, for the log: "distances and angles". */
  compares: string;
  relation: (student: tf.Tensor, teacher: tf.Tensor, config: RunConfig) => tf.Scalar;
  weights: (config: RunConfig) => string;
  /** Epochs over which the relation term ramps up from 0 (warmupRamp); none if not given. */
  warmup?: (config: RunConfig) => number;
}): MethodImplementation {
  return {
    prepare({ student, teacher, teacherTensors, config }) {
      const source = teacher ?? teacherTensors;
      if (!source) throw new Error(`${label} needs a teacher`);
      const pair = { student: embeddingLayer(student, 'the student', label), teacher: embeddingLayer(source, 'the teacher', label) };
      const warmupEpochs = warmup?.(config) ?? 0;
      return {
        studentFeatureLayers: [pair.student.name],
        teacherFeatureLayers: [pair.teacher.name],
        extraVariables: [],
        description: `${compares} between embeddings ${describePairs([pair])}, ${weights(config)}${describeWarmup(warmupEpochs, config.epochs)}`,
        loss: ({ studentFeatures, teacherFeatures, studentLogits, labels, progress }) =>
          tf.tidy(() => {
            const ramp = warmupRamp(progress, warmupEpochs);
            const term = ramp > 0 ? tf.mul(ramp, relation(studentFeatures[0]!, teacherFeatures[0]!, config)) : tf.scalar(0);
            return tf.add(crossEntropyLoss(labels, studentLogits), term);
          }),
        dispose: () => {},
      };
    },
  };
}

/** A method whose options are one weight on its relation term and a warm-up (SP, PKT): CE + ramp·weight·loss. */
export function weightedEmbeddingMethod(id: 'sp' | 'pkt', label: string, compares: string, loss: (student: tf.Tensor, teacher: tf.Tensor) => tf.Scalar): MethodImplementation {
  return embeddingRelationMethod({
    label,
    compares,
    relation: (student, teacher, config) => tf.mul(config.methodOptions[id].weight, loss(student, teacher)) as tf.Scalar,
    weights: (config) => `weight ${config.methodOptions[id].weight}`,
    warmup: (config) => config.methodOptions[id].warmup,
  });
}
