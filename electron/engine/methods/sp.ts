import { similarityPreservingLoss } from '../losses/similarity-preserving';
import { weightedEmbeddingMethod } from './embedding-relation';

/** Tung & Mori (2019), as mdistiller: CE + w·SP, here on the embeddings the two classifiers read. */
export const spMethod = weightedEmbeddingMethod('sp', 'SP', 'similarities', similarityPreservingLoss);
