import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from '../losses/cross-entropy';
import { rkdLoss } from '../losses/rkd';
import { describePairs, embeddingLayer } from './layer-pairing';
import type { MethodImplementation } from './method';

/** Park et al. (2019), as mdistiller: CE + RKD on the embeddings the two classifiers read. */
export const rkdMethod: MethodImplementation = {
  prepare({ student, teacher, teacherTensors, config }) {
    const source = teacher ?? teacherTensors;
    if (!source) throw new Error('rkd needs a teacher');
    const options = config.methodOptions.rkd;
    const pair = { student: embeddingLayer(student, 'the student'), teacher: embeddingLayer(source, 'the teacher') };
    return {
      studentFeatureLayers: [pair.student.name],
      teacherFeatureLayers: [pair.teacher.name],
      extraVariables: [],
      description: `distances and angles between embeddings ${describePairs([pair])}, weights ${options.distanceWeight} and ${options.angleWeight}`,
      loss: ({ studentFeatures, teacherFeatures, studentLogits, labels }) =>
        tf.tidy(() => tf.add(crossEntropyLoss(labels, studentLogits), rkdLoss(studentFeatures[0]!, teacherFeatures[0]!, options))),
      dispose: () => {},
    };
  },
};
