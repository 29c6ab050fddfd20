import type { Normalization } from './normalize';

/** Images stay uint8 in memory; batches convert to float32 (keeps CIFAR-sized sets small). */
export interface DatasetSplit {
  count: number;
  /** count × height × width × channels bytes, row-major, channels last. */
  images: Uint8Array;
  labels: Uint8Array;
  /** Per-channel normalisation applied when batches are made (from the training split); none keeps pixels / 255. */
  normalization?: Normalization;
}

export interface ImageDataset {
  /** A short name for display: `mnist`, or the folder's name. */
  name: string;
  /** The format module that read it. */
  format: string;
  /** [height, width, channels] */
  shape: [number, number, number];
  classNames: string[];
  train: DatasetSplit;
  test: DatasetSplit;
  /**
   * What a run with a validation split makes its choices on: a format gives the dataset's own
   * (FER2013's PublicTest rows, a `val/` folder beside `train/` and `test/`), else the run holds
   * out a share of the training images (`carveValidation`).
   */
  validation?: DatasetSplit;
  /** Where a run's validation split came from: the dataset's own, or held out of its training images. */
  validationSource?: 'dataset' | 'held-out';
}

export function imageBytes(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}

/** The first `limit` examples of a split (MNIST's files are already in random order). */
export function limitSplit(split: DatasetSplit, limit: number | null, shape: readonly [number, number, number]): DatasetSplit {
  if (limit === null || limit >= split.count) return split;
  const size = imageBytes(shape);
  return { ...split, count: limit, images: split.images.subarray(0, limit * size), labels: split.labels.subarray(0, limit) };
}

export function classCounts(split: DatasetSplit, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of split.labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

/** The same images as pixels / 255 alone, for a model that normalises them itself (a TFLite export). */
export function withoutNormalization(split: DatasetSplit): DatasetSplit {
  const copy = { ...split };
  delete copy.normalization;
  return copy;
}
