import * as tf from '@tensorflow/tfjs';
import { similarityPreservingLoss } from '../losses/similarity-preserving';
import { embeddingRelationMethod } from './embedding-relation';

/** Tung & Mori (2019), as mdistiller: CE + w·SP, here on the embeddings the two classifiers read. */
export const spMethod = embeddingRelationMethod({
  label: 'SP',
  compares: 'similarities',
  relation: (student, teacher, config) => tf.mul(config.methodOptions.sp.weight, similarityPreservingLoss(student, teacher)) as tf.Scalar,
  weights: (config) => `weight ${config.methodOptions.sp.weight}`,
  warmup: (config) => config.methodOptions.sp.warmup,
});
