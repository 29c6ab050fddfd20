import * as tf from '@tensorflow/tfjs';
import { imageBatch } from '../data/batches';
import { withoutNormalization } from '../data/dataset';
import { loadDataset } from '../data/load';

/** TFLite's guide asks for a few hundred representative images; 512 cover every class of the datasets here. */
export const CALIBRATION_IMAGES = 512;

/**
 * Training images of a dataset as pixels / 255 (what a TFLite export takes: the normalisation is
 * inside it), evenly spaced over the training split so every part of it is represented; null
 * when the dataset cannot be loaded here (a bare model folder whose dataset is elsewhere).
 */
export async function calibrationImages(dataset: string, imageSize: number | undefined): Promise<tf.Tensor4D | null> {
  const data = await loadDataset(dataset, imageSize === undefined ? {} : { imageSize }).catch(() => null);
  if (!data) return null;
  const count = Math.min(CALIBRATION_IMAGES, data.train.count);
  const stride = data.train.count / count;
  const order = Int32Array.from({ length: count }, (_, i) => Math.floor(i * stride));
  const unnormalised = withoutNormalization(data.train);
  const { x, labels } = imageBatch(unnormalised, data.shape, order, 0, count);
  labels.dispose();
  return x;
}
