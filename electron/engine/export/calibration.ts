import * as tf from '@tensorflow/tfjs';
import { imageBatch } from '../data/batches';
import { withoutNormalization, type ImageDataset } from '../data/dataset';

/** TFLite's guide asks for a few hundred representative images; 512 cover every class of the datasets here. */
export const CALIBRATION_IMAGES = 512;

/**
 * Training images of a dataset as pixels / 255 (what a TFLite export takes: the normalisation is
 * inside it), evenly spaced over the training split so every part of it is represented.
 */
export function calibrationImages(data: ImageDataset): tf.Tensor4D {
  const count = Math.min(CALIBRATION_IMAGES, data.train.count);
  const stride = data.train.count / count;
  const order = Int32Array.from({ length: count }, (_, i) => Math.floor(i * stride));
  const unnormalised = withoutNormalization(data.train);
  const { x, labels } = imageBatch(unnormalised, data.shape, order, 0, count);
  labels.dispose();
  return x;
}
