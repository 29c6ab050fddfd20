import { pktLoss } from '../losses/pkt';
import { weightedEmbeddingMethod } from './embedding-relation';

/** Passalis & Tefas (2018), as mdistiller: CE + w·PKT on the embeddings the two classifiers read. */
export const pktMethod = weightedEmbeddingMethod('pkt', 'PKT', 'similarity distributions', pktLoss);
