import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';
import { imageBatch } from '../data/batches';
import { nearChance } from '../../contract/advice';
import { DistillInputError } from '../errors';
import type { ModelMetadata } from './model-io';

/**
 * A teacher brought from elsewhere may end in a softmax: its outputs are probabilities, not
 * logits, and softening probabilities at T is not Hinton's soft target. Looked for on a sample
 * batch of test images: every row non-negative and summing to 1.
 */
export async function outputsProbabilities(model: tf.LayersModel, data: ImageDataset): Promise<boolean> {
  const count = Math.min(64, data.test.count);
  const indices = Int32Array.from({ length: count }, (_, i) => i);
  const { x, labels } = imageBatch(data.test, data.shape, indices, 0, count);
  const y = model.predict(x) as tf.Tensor2D;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, labels, y]);
  return rowsAreProbabilities(values, values.length / Math.max(1, count));
}

/** Are the first rows (up to 64) of row-major [rows, classes] outputs non-negative, each summing to 1? */
export function rowsAreProbabilities(values: Float32Array, classes: number): boolean {
  const rows = Math.min(64, Math.floor(values.length / classes));
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const v = values[r * classes + c]!;
      if (v < -1e-6) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return rows > 0;
}

/** log(p) as a layer: softmax(log p / T) is p softened at T, as if the teacher had given logits. */
class LogOfProbabilities extends tf.layers.Layer {
  static readonly className = 'DistillLogOfProbabilities';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.log(tf.maximum(Array.isArray(inputs) ? inputs[0]! : inputs, 1e-7)));
  }
}

/** The same model with log(p) on top, sharing its layers (so feature methods still find them). */
export function probabilitiesAsLogits(model: tf.LayersModel): tf.LayersModel {
  const output = new LogOfProbabilities({ name: 'log_of_probabilities' }).apply(model.outputs[0]!) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: output, name: `${model.name}_logits` });
}


/**
 * An imported teacher that scores about chance on the test split is almost always fed wrong (a
 * different preprocessing or class order), and a student would learn noise from it: one error
 * that says so and what was assumed, before any student trains.
 */
export function checkTeacherBeatsChance(accuracy: number, classes: number, source: string, metadata: ModelMetadata | null, data: ImageDataset, fed?: string): void {
  const chance = 1 / classes;
  if (!nearChance(accuracy, classes)) return;
  const norm = data.train.normalization;
  const assumed = [
    `inputs ${data.shape.join('×')} (height × width × channels)`,
    fed ?? `pixels / 255${norm ? ', then per-channel (x − mean) / std of the training split' : ''}`,
    `classes in the order ${data.classNames.slice(0, 5).join(', ')}${data.classNames.length > 5 ? ', …' : ''}`,
  ].join('; ');
  const hint = fed ? ' (declare it with --teacher-input-range, --teacher-normalization and --teacher-mean-std; labels.txt beside the teacher matches classes by name)' : '';
  throw new DistillInputError(
    `teacher ${metadata?.architecture ?? source} scores ${(accuracy * 100).toFixed(1)}% on the test split, no better than chance (${(chance * 100).toFixed(1)}%) for ${classes} classes: its preprocessing or class order probably differs from this dataset's${hint}. Assumed: ${assumed}`,
  );
}
