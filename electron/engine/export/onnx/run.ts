import { join } from 'node:path';
import type { DatasetSplit } from '../../data/dataset';
import type { BatchWatch } from '../../train/evaluate';
import { predictedClasses } from '../predictions';

/**
 * Runs an exported model.onnx in onnxruntime-node over a split (the same preprocessing as
 * training: pixels / 255, then the dataset's normalisation) and returns its predicted classes.
 * onnxruntime-node is imported here only, on first use.
 */
export async function onnxPredictions(dir: string, split: DatasetSplit, shape: readonly [number, number, number], options: { rawPixels?: boolean; watch?: BatchWatch } = {}, batchSize = 256): Promise<Int32Array> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), { executionProviders: ['cpu'] });
  try {
    return await predictedClasses(split, shape, options.watch, batchSize, async ({ start, end, floats }) => {
      // Raw pixels: the image's bytes as stored, and the model does / 255 and the normalisation itself.
      const size = shape[0] * shape[1] * shape[2];
      const input = options.rawPixels ? new ort.Tensor('uint8', split.images.slice(start * size, end * size), [end - start, ...shape]) : new ort.Tensor('float32', await floats(), [end - start, ...shape]);
      const output = await session.run({ input });
      return output.logits!.data as Float32Array;
    });
  } finally {
    await session.release();
  }
}
