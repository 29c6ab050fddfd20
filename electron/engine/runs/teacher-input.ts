import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { imageBatch } from '../data/batches';
import type { DatasetSplit } from '../data/dataset';
import { DistillInputError } from '../errors';

/** torchvision's ImageNet statistics, in the 0–1 range. */
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export type TeacherInputDeclaration = Pick<RunConfig, 'teacherInputRange' | 'teacherNormalization'>;

/** What an imported teacher is fed, in words (for the run's log and the error on a teacher at chance). */
export function describeTeacherInput(declared: TeacherInputDeclaration, split: DatasetSplit): string {
  const norm = declared.teacherNormalization === 'imagenet' ? ", then ImageNet's per-channel mean/std" : declared.teacherNormalization === 'dataset' && split.normalization ? ', then the dataset\'s per-channel mean/std' : '';
  return declared.teacherInputRange === '0-255' ? 'pixels 0–255' : `pixels / 255${norm}`;
}

/** Refuses declarations that cannot hold together, before the run starts. */
export function checkTeacherInput(declared: TeacherInputDeclaration, channels: number): void {
  if (declared.teacherInputRange === '0-255' && declared.teacherNormalization === 'imagenet') {
    throw new DistillInputError('--teacher-input-range 0-255 with --teacher-normalization imagenet: ImageNet statistics are for 0–1 pixels; choose one');
  }
  if (declared.teacherNormalization === 'imagenet' && channels !== 3) throw new DistillInputError(`--teacher-normalization imagenet needs colour images; this dataset has ${channels} channel(s)`);
}

/**
 * A batch as an imported teacher expects it (NHWC float32): the dataset's pixels scaled to the
 * declared range and normalised as declared, rather than as this app trains its own models.
 */
export function teacherInputBatch(split: DatasetSplit, shape: readonly [number, number, number], order: Int32Array, start: number, end: number, declared: TeacherInputDeclaration): tf.Tensor4D {
  const plain = declared.teacherNormalization === 'dataset' ? split : { ...split, normalization: undefined };
  const { x, labels } = imageBatch(plain, shape, order, start, end);
  labels.dispose();
  return tf.tidy(() => {
    let y: tf.Tensor4D = x;
    if (declared.teacherNormalization === 'imagenet') y = tf.div(tf.sub(y, tf.tensor1d(IMAGENET.mean)), tf.tensor1d(IMAGENET.std));
    if (declared.teacherInputRange === '0-255') y = tf.mul(y, 255);
    return y;
  });
}
