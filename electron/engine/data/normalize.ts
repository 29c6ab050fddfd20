import type { DatasetSplit, ImageDataset } from './dataset';

export interface Normalization {
  /** Per channel, in [0, 1] pixel units. */
  mean: number[];
  std: number[];
}

/** Per-channel mean and standard deviation of a split's pixels (scaled to [0, 1]). */
export function channelStats(split: DatasetSplit, channels: number): Normalization {
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  const { images } = split;
  for (let i = 0; i < images.length; i++) {
    const v = images[i]! / 255;
    sum[i % channels]! += v;
    squares[i % channels]! += v * v;
  }
  const n = images.length / channels;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(squares, (q, c) => Math.sqrt(Math.max(q / n - mean[c]! ** 2, 1e-12)));
  return { mean, std };
}

/** A colour dataset with every split normalised per channel by its training split's mean and std (CIFAR, image folders, RGB pixel CSVs). */
export function withChannelStats(dataset: ImageDataset): ImageDataset {
  const normalization = channelStats(dataset.train, 3);
  const { train, test, validation } = dataset;
  return { ...dataset, train: { ...train, normalization }, test: { ...test, normalization }, ...(validation ? { validation: { ...validation, normalization } } : {}) };
}
