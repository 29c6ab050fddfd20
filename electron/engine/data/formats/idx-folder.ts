import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DistillInputError } from '../../errors';
import type { DatasetSplit } from '../dataset';
import { namesOfClassNumbers, readClassNamesFile } from '../class-names';
import { readIdxImages, readIdxLabels } from '../idx';
import type { DatasetFormat } from './dataset-format';

/** LeCun's file names, as MNIST and Fashion-MNIST ship them, gzip'd or not. */
const FILES = {
  trainImages: /^train-images[.-]idx3-ubyte(\.gz)?$/,
  trainLabels: /^train-labels[.-]idx1-ubyte(\.gz)?$/,
  testImages: /^t10k-images[.-]idx3-ubyte(\.gz)?$/,
  testLabels: /^t10k-labels[.-]idx1-ubyte(\.gz)?$/,
} as const;

type Role = keyof typeof FILES;

const DISPLAY_NAMES: Record<Role, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

async function findFiles(dir: string): Promise<Partial<Record<Role, string>>> {
  const found: Partial<Record<Role, string>> = {};
  for (const name of await readdir(dir)) {
    for (const role of Object.keys(FILES) as Role[]) {
      if (FILES[role].test(name)) found[role] = join(dir, name);
    }
  }
  return found;
}

async function readSplit(imagesPath: string, labelsPath: string): Promise<{ split: DatasetSplit; height: number; width: number }> {
  const images = await readIdxImages(imagesPath);
  const labels = await readIdxLabels(labelsPath);
  if (labels.length !== images.count) {
    throw new DistillInputError(
      `${basename(labelsPath)}: ${labels.length} labels for ${images.count} images in ${basename(imagesPath)}`,
    );
  }
  return { split: { count: images.count, images: images.pixels, labels }, height: images.height, width: images.width };
}

export const idxFolderFormat: DatasetFormat = {
  id: 'idx',
  async match(path) {
    const info = await stat(path).catch(() => null);
    if (!info?.isDirectory()) return false;
    const found = await findFiles(path);
    return Object.keys(found).length > 0;
  },
  async open(path) {
    const found = await findFiles(path);
    const missing = (Object.keys(FILES) as Role[]).filter((role) => !found[role]);
    if (missing.length > 0) {
      throw new DistillInputError(`${path}: IDX dataset is missing ${missing.map((role) => DISPLAY_NAMES[role]).join(', ')}`);
    }
    const train = await readSplit(found.trainImages!, found.trainLabels!);
    const test = await readSplit(found.testImages!, found.testLabels!);
    if (train.height !== test.height || train.width !== test.width) {
      throw new DistillInputError(`${path}: train images are ${train.height}×${train.width} but test images are ${test.height}×${test.width}`);
    }
    let classes = 0;
    for (const labels of [train.split.labels, test.split.labels]) {
      for (const label of labels) if (label >= classes) classes = label + 1;
    }
    if (classes < 2) throw new DistillInputError(`${path}: the labels name only one class`);
    const classNames = namesOfClassNumbers(classes, await readClassNamesFile(path));
    return {
      name: basename(path),
      format: 'idx',
      shape: [train.height, train.width, 1],
      classNames,
      train: train.split,
      test: test.split,
    };
  },
};
