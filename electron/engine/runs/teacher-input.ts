import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { imageBatch } from '../data/batches';
import type { DatasetSplit } from '../data/dataset';
import { DistillInputError } from '../errors';

/** torchvision's ImageNet statistics, in the 0–1 range. */
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export type TeacherInputDeclaration = Pick<RunConfig, 'teacherInputRange' | 'teacherNormalization' | 'teacherMeanStd' | 'teacherResize'>;
/** Height, width, channels. */
export type ImageShape = readonly [number, number, number];

/** Was anything declared beyond how this app feeds its own models (pixels / 255, the dataset's mean/std, same size)? */
export const declaresTeacherInput = (declared: TeacherInputDeclaration) =>
  declared.teacherInputRange !== '0-1' || declared.teacherNormalization !== 'dataset' || declared.teacherResize;

/** `0.5,0.5,0.5/0.25,0.25,0.25` → mean and std lists (the catalogue's pattern has checked the form). */
export function parseMeanStd(text: string): { mean: number[]; std: number[] } {
  const [mean, std] = text.split('/').map((part) => part.split(',').map(Number)) as [number[], number[]];
  return { mean, std };
}

/** What an imported teacher is fed, in words (for the run's log, the check and the error on a teacher at chance). */
export function describeTeacherInput(declared: TeacherInputDeclaration, split: DatasetSplit, source: ImageShape, target: ImageShape = source): string {
  const range = declared.teacherInputRange === '0-255' ? 'pixels 0–255' : 'pixels / 255';
  const norm = {
    dataset: split.normalization ? ", then the dataset's per-channel mean/std" : '',
    none: '',
    imagenet: ", then ImageNet's per-channel mean/std",
    custom: `, then (x − mean) / std with ${declared.teacherMeanStd ?? '?'}`,
  }[declared.teacherNormalization];
  const resized = source[0] !== target[0] || source[1] !== target[1] || source[2] !== target[2] ? `, resized ${source.join('×')} → ${target.join('×')}` : '';
  return `${range}${norm}${resized}`;
}

/** The declaration's own consistency, before the teacher is opened (`custom` needs its numbers and only it takes them). */
export function checkTeacherDeclaration(declared: TeacherInputDeclaration): void {
  if (declared.teacherNormalization === 'custom' && !declared.teacherMeanStd) throw new DistillInputError('--teacher-normalization custom needs --teacher-mean-std M/S (one value, or one per channel)');
  if (declared.teacherNormalization !== 'custom' && declared.teacherMeanStd) throw new DistillInputError(`--teacher-mean-std is for --teacher-normalization custom (it is ${declared.teacherNormalization})`);
}

/**
 * Refuses declarations that cannot hold together, before the run starts. `target` is the image
 * shape the teacher takes, when it has a fixed one.
 */
export function checkTeacherInput(declared: TeacherInputDeclaration, source: ImageShape, target: ImageShape = source): void {
  const channels = target[2];
  if (declared.teacherNormalization === 'imagenet' && channels !== 3) throw new DistillInputError(`--teacher-normalization imagenet needs colour images; this dataset has ${channels} channel(s)`);
  checkTeacherDeclaration(declared);
  if (declared.teacherNormalization === 'custom' && declared.teacherMeanStd) {
    const { mean, std } = parseMeanStd(declared.teacherMeanStd);
    for (const [name, list] of [['mean', mean], ['std', std]] as const) {
      if (list.length !== 1 && list.length !== channels) throw new DistillInputError(`--teacher-mean-std: ${list.length} ${name} values for a teacher that takes ${channels} channel(s) (give ${channels === 1 ? "one" : `1 or ${channels}`})`);
    }
    if (std.some((s) => s <= 0)) throw new DistillInputError('--teacher-mean-std: every std must be above 0');
  }
  const differs = source[0] !== target[0] || source[1] !== target[1] || source[2] !== target[2];
  if (differs && !declared.teacherResize) {
    throw new DistillInputError(`the teacher takes ${target.join('×')} images and the dataset's are ${source.join('×')} (height × width × channels): add --teacher-resize to resize them for it`);
  }
  if (source[2] !== target[2] && source[2] !== 1 && target[2] !== 1) {
    throw new DistillInputError(`cannot turn ${source[2]}-channel images into the ${target[2]} channels the teacher takes`);
  }
}

/** Per-channel statistics for `channels`, in the declared pixel range; null when none apply. */
function statistics(declared: TeacherInputDeclaration, split: DatasetSplit, channels: number): { mean: number[]; std: number[] } | null {
  const scale = declared.teacherInputRange === '0-255' ? 255 : 1;
  const fit = (values: readonly number[]) => (values.length === channels ? [...values] : values.length === 1 ? Array(channels).fill(values[0]) : Array(channels).fill(values.reduce((a, b) => a + b, 0) / values.length));
  // Dataset and ImageNet statistics are for 0–1 pixels (as torchvision's Normalize after ToTensor); custom ones are as declared.
  const stats = declared.teacherNormalization === 'imagenet' ? IMAGENET : declared.teacherNormalization === 'dataset' ? split.normalization : declared.teacherNormalization === 'custom' && declared.teacherMeanStd ? parseMeanStd(declared.teacherMeanStd) : null;
  if (!stats) return null;
  const factor = declared.teacherNormalization === 'custom' ? 1 : scale;
  return { mean: fit(stats.mean).map((m) => m * factor), std: fit(stats.std).map((s) => s * factor) };
}

/**
 * A batch as an imported teacher expects it (NHWC float32): the dataset's pixels resized to the
 * teacher's size and channels when declared, scaled to the declared range and normalised as
 * declared, rather than as this app trains its own models.
 */
export function teacherInputBatch(split: DatasetSplit, shape: ImageShape, order: Int32Array, start: number, end: number, declared: TeacherInputDeclaration, target: ImageShape = shape): tf.Tensor4D {
  const { x, labels } = imageBatch({ ...split, normalization: undefined }, shape, order, start, end);
  labels.dispose();
  try {
    return asTeacherInput(x, split, shape, declared, target);
  } finally {
    x.dispose();
  }
}

/** 0–1 pixels of the dataset's shape (a batch, augmented or not) as the teacher is fed them (teacherInputBatch); a new tensor. */
export function asTeacherInput(pixels: tf.Tensor4D, split: DatasetSplit, shape: ImageShape, declared: TeacherInputDeclaration, target: ImageShape = shape): tf.Tensor4D {
  return tf.tidy(() => {
    let y: tf.Tensor4D = pixels;
    if (target[0] !== shape[0] || target[1] !== shape[1]) y = tf.image.resizeBilinear(y, [target[0], target[1]]);
    if (target[2] !== shape[2]) y = shape[2] === 1 ? tf.tile(y, [1, 1, 1, target[2]]) : tf.mean(y, 3, true);
    if (declared.teacherInputRange === '0-255') y = tf.mul(y, 255);
    const stats = statistics(declared, split, target[2]);
    if (stats) y = tf.div(tf.sub(y, tf.tensor1d(stats.mean)), tf.tensor1d(stats.std));
    return y === pixels ? tf.clone(y) : y;
  });
}
