import * as tf from '@tensorflow/tfjs';
import { withoutNormalization, type DatasetSplit } from '../data/dataset';
import { imageBatch } from '../data/batches';
import { throwIfAborted } from '../errors';
import type { BatchWatch } from '../train/evaluate';

/** One batch of a split as an exported model's runtime is fed it. */
export interface SplitBatch {
  start: number;
  end: number;
  /** The images after the training preprocessing (pixels / 255, then the dataset's normalisation), laid end to end. */
  floats(): Promise<Float32Array>;
  /** The images as pixels / 255 only, for a model with the normalisation inside (TFLite). */
  scaled(): Promise<Float32Array>;
}

/**
 * The predicted class of every image of a split, batch by batch, from a runtime's logits
 * (`[images × classes]`, laid end to end); stops between batches when the watch's signal aborts.
 */
export async function predictedClasses(split: DatasetSplit, shape: readonly [number, number, number], watch: BatchWatch | undefined, batchSize: number, logitsOf: (batch: SplitBatch) => Promise<Float32Array>): Promise<Int32Array> {
  const predictions = new Int32Array(split.count);
  const order = Int32Array.from({ length: split.count }, (_, i) => i);
  const unnormalised = withoutNormalization(split);
  for (let start = 0; start < split.count; start += batchSize) {
    throwIfAborted(watch?.signal);
    const end = Math.min(split.count, start + batchSize);
    const read = async (from: DatasetSplit) => {
      const { x, labels } = imageBatch(from, shape, order, start, end);
      const data = (await x.data()) as Float32Array;
      tf.dispose([x, labels]);
      return data;
    };
    const logits = await logitsOf({ start, end, floats: () => read(split), scaled: () => read(unnormalised) });
    const classes = logits.length / (end - start);
    for (let r = 0; r < end - start; r++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[r * classes + c]! > logits[r * classes + best]!) best = c;
      predictions[start + r] = best;
    }
    watch?.onImages?.(end);
  }
  return predictions;
}
