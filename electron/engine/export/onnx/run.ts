import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { DatasetSplit } from '../../data/dataset';
import { imageBatch } from '../../data/batches';
import { throwIfAborted } from '../../errors';
import type { BatchWatch } from '../../train/evaluate';

/**
 * Runs an exported model.onnx in onnxruntime-node over a split (the same preprocessing as
 * training: pixels / 255, then the dataset's normalisation) and returns its predicted classes.
 * onnxruntime-node is imported here only, on first use.
 */
export async function onnxPredictions(dir: string, split: DatasetSplit, shape: readonly [number, number, number], options: { rawPixels?: boolean; watch?: BatchWatch } = {}, batchSize = 256): Promise<Int32Array> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), { executionProviders: ['cpu'] });
  const predictions = new Int32Array(split.count);
  const order = Int32Array.from({ length: split.count }, (_, i) => i);
  try {
    for (let start = 0; start < split.count; start += batchSize) {
      throwIfAborted(options.watch?.signal);
      const end = Math.min(split.count, start + batchSize);
      let input: InstanceType<typeof ort.Tensor>;
      if (options.rawPixels) {
        // The image's bytes as stored: the model does / 255 and the normalisation itself.
        const size = shape[0] * shape[1] * shape[2];
        input = new ort.Tensor('uint8', split.images.slice(start * size, end * size), [end - start, ...shape]);
      } else {
        const { x, labels } = imageBatch(split, shape, order, start, end);
        const data = (await x.data()) as Float32Array;
        tf.dispose([x, labels]);
        input = new ort.Tensor('float32', data, [end - start, ...shape]);
      }
      const output = await session.run({ input });
      const logits = output.logits!.data as Float32Array;
      const classes = logits.length / (end - start);
      for (let r = 0; r < end - start; r++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
        predictions[start + r] = best;
      }
      options.watch?.onImages?.(end);
    }
  } finally {
    await session.release();
  }
  return predictions;
}
