import { imageBytes, type ImageDataset } from './dataset';

export interface DatasetSample {
  label: number;
  /** Index in the test split. */
  index: number;
  /** h × w × c uint8 pixels. */
  pixels: Uint8Array;
}

/**
 * A few test images per class for a sample grid: the first `perClass` of each class (one per
 * class past ten classes), at most `max`, ordered by class.
 */
export function pickSamples(data: ImageDataset, max = 100): DatasetSample[] {
  const classes = data.classNames.length;
  const perClass = classes <= 10 ? 4 : 1;
  const size = imageBytes(data.shape);
  const taken = new Array<number>(classes).fill(0);
  const samples: DatasetSample[] = [];
  for (let i = 0; i < data.test.count && samples.length < Math.min(max, perClass * classes); i++) {
    const label = data.test.labels[i]!;
    if (taken[label]! >= perClass) continue;
    taken[label]! += 1;
    samples.push({ label, index: i, pixels: data.test.images.subarray(i * size, (i + 1) * size) });
  }
  return samples.sort((a, b) => a.label - b.label || a.index - b.index);
}
