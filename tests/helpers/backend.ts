import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../electron/engine/backend/select';

/** Unit tests run on the pure-JavaScript backend: the reference every other backend is checked against. */
export async function useCpuBackend(): Promise<void> {
  if (tf.getBackend() !== 'cpu') await selectBackend('cpu');
}
