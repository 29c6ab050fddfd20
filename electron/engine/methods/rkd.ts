import { rkdLoss } from '../losses/rkd';
import { embeddingRelationMethod } from './embedding-relation';

/** Park et al. (2019), as mdistiller: CE + RKD on the embeddings the two classifiers read. */
export const rkdMethod = embeddingRelationMethod({
  label: 'RKD',
  compares: 'distances and angles',
  relation: (student, teacher, config) => rkdLoss(student, teacher, config.methodOptions.rkd),
  weights: (config) => `weights ${config.methodOptions.rkd.distanceWeight} and ${config.methodOptions.rkd.angleWeight}`,
});
