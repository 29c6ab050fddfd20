import type { RunConfig } from '../../contract/run-config';
import { createRng, shuffledIndices } from '../random';
import { imageBytes, limitSplit, type DatasetSplit, type ImageDataset } from './dataset';

/**
 * Holds out a share of the training split, chosen with a fixed seed, as a validation split:
 * what a run makes its choices on (best epoch, early stopping, a T × α sweep), so the test split
 * only ever reports. Both keep the training split's normalisation.
 */
export function carveValidation(split: DatasetSplit, fraction: number, seed: number, shape: readonly [number, number, number]): { train: DatasetSplit; validation: DatasetSplit | undefined } {
  const held = Math.round(split.count * fraction);
  if (fraction <= 0 || held < 1 || held >= split.count) return { train: split, validation: undefined };
  const order = shuffledIndices(split.count, createRng(seed ^ 0x5eed));
  const size = imageBytes(shape);
  const take = (indices: Int32Array): DatasetSplit => {
    const images = new Uint8Array(indices.length * size);
    const labels = new Uint8Array(indices.length);
    indices.forEach((index, i) => {
      images.set(split.images.subarray(index * size, (index + 1) * size), i * size);
      labels[i] = split.labels[index]!;
    });
    return { count: indices.length, images, labels, ...(split.normalization ? { normalization: split.normalization } : {}) };
  };
  // Kept in their original order within each part, so a run is the same with or without re-reading.
  const validation = Int32Array.from(order.subarray(0, held)).sort();
  const train = Int32Array.from(order.subarray(held)).sort();
  return { train: take(train), validation: take(validation) };
}

/**
 * The splits a run trains, chooses and reports on: a run with a validation split uses the
 * dataset's own where it has one (the choices a person compares with others' are made on it),
 * else holds out that share of the training images; a run without one has none.
 */
export function runSplits(full: ImageDataset, config: Pick<RunConfig, 'limitTrain' | 'limitTest' | 'validationSplit' | 'seed'>): ImageDataset {
  const own = full.validation;
  const rest = { ...full };
  delete rest.validation;
  delete rest.validationSource;
  const train = limitSplit(full.train, config.limitTrain, full.shape);
  const test = limitSplit(full.test, config.limitTest, full.shape);
  if (config.validationSplit > 0 && own) return { ...rest, train, test, validation: own, validationSource: 'dataset' };
  const carved = carveValidation(train, config.validationSplit, config.seed, full.shape);
  return { ...rest, train: carved.train, test, ...(carved.validation ? { validation: carved.validation, validationSource: 'held-out' as const } : {}) };
}
