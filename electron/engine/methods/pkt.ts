import * as tf from '@tensorflow/tfjs';
import { pktLoss } from '../losses/pkt';
import { embeddingRelationMethod } from './embedding-relation';

/** Passalis & Tefas (2018), as mdistiller: CE + w·PKT on the embeddings the two classifiers read. */
export const pktMethod = embeddingRelationMethod({
  label: 'PKT',
  compares: 'similarity distributions',
  relation: (student, teacher, config) => tf.mul(config.methodOptions.pkt.weight, pktLoss(student, teacher)) as tf.Scalar,
  weights: (config) => `weight ${config.methodOptions.pkt.weight}`,
  warmup: (config) => config.methodOptions.pkt.warmup,
});
