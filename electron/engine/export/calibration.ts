import * as tf from '@tensorflow/tfjs';
import { imageBatch } from '../data/batches';
import { withoutNormalization, type ImageDataset } from '../data/dataset';
import { DistillInputError } from '../errors';
import { loadModelFolder } from '../runs/model-io';

type LoadedModel = Awaited<ReturnType<typeof loadModelFolder>>;

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

/**
 * A model to quantize with its calibration images, which must fit its input: `withoutImages` says
 * what to do when its dataset is not at hand. The caller disposes both.
 */
export async function modelWithCalibration(modelDir: string, calibrationImages: () => Promise<tf.Tensor4D | null>, withoutImages: string): Promise<LoadedModel & { images: tf.Tensor4D }> {
  const images = await calibrationImages();
  if (!images) throw new DistillInputError(`${modelDir}: ${withoutImages}`);
  let loaded: LoadedModel | null = null;
  try {
    loaded = await loadModelFolder(modelDir);
    const expected = JSON.stringify(loaded.model.inputs[0]!.shape.slice(1));
    if (JSON.stringify(images.shape.slice(1)) !== expected) throw new DistillInputError(`${modelDir}: calibration images are ${images.shape.slice(1).join('×')}, the model takes ${expected}`);
    return { ...loaded, images };
  } catch (error) {
    loaded?.model.dispose();
    images.dispose();
    throw error;
  }
}
