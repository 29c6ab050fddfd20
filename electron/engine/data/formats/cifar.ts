import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DistillInputError } from '../../errors';
import { isTarGz, readTarGzEntries, tarGzEntryNames } from '../archive';
import type { DatasetSplit, ImageDataset } from '../dataset';
import { withChannelStats } from '../normalize';
import type { DatasetFormat } from './dataset-format';

/**
 * The CIFAR "binary version" (Krizhevsky, 2009): records of label byte(s) + 3,072 pixel bytes,
 * the 1,024 red values first, then green, then blue, each 32×32 row-major.
 * CIFAR-10: data_batch_1..5.bin + test_batch.bin, 1 label byte, names in batches.meta.txt.
 * CIFAR-100: train.bin + test.bin, coarse then fine label byte, names in fine_label_names.txt.
 */
const PIXELS = 3072;
const CIFAR10_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
const CIFAR100_FILES = ['train.bin', 'test.bin'];
const NAME_FILES = ['batches.meta.txt', 'fine_label_names.txt', 'coarse_label_names.txt'];
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const isCifarFile = (name: string) => CIFAR10_FILES.includes(name) || CIFAR100_FILES.includes(name) || NAME_FILES.includes(name);

/** Decodes records into HWC uint8 images; `labelBytes` is 1 (CIFAR-10) or 2 (CIFAR-100, fine label second). */
export function decodeCifarRecords(bytes: Uint8Array, labelBytes: 1 | 2, classes: number, file: string): DatasetSplit {
  const recordBytes = labelBytes + PIXELS;
  if (bytes.length === 0) throw new DistillInputError(`${file}: empty file`);
  if (bytes.length % recordBytes !== 0) {
    throw new DistillInputError(`${file}: truncated record: ${bytes.length} bytes is not a whole number of ${recordBytes}-byte records`);
  }
  const count = bytes.length / recordBytes;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const offset = r * recordBytes;
    const label = bytes[offset + labelBytes - 1]!;
    if (label >= classes) throw new DistillInputError(`${file}: record ${r} has label ${label}, but there are ${classes} classes`);
    labels[r] = label;
    const pixels = offset + labelBytes;
    for (let p = 0; p < 1024; p++) {
      images[r * PIXELS + p * 3] = bytes[pixels + p]!;
      images[r * PIXELS + p * 3 + 1] = bytes[pixels + 1024 + p]!;
      images[r * PIXELS + p * 3 + 2] = bytes[pixels + 2048 + p]!;
    }
  }
  return { count, images, labels };
}

function concatSplits(splits: DatasetSplit[]): DatasetSplit {
  const count = splits.reduce((n, s) => n + s.count, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const split of splits) {
    images.set(split.images, at * PIXELS);
    labels.set(split.labels, at);
    at += split.count;
  }
  return { count, images, labels };
}

const names = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes).split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : null);

/** Builds the dataset from the files of either version, wherever they came from. */
export function cifarFromFiles(files: Map<string, Uint8Array>, source: string): ImageDataset {
  let name: string;
  let classNames: string[];
  let train: DatasetSplit;
  let test: DatasetSplit;
  if (files.has('train.bin') || files.has('test.bin')) {
    for (const file of CIFAR100_FILES) if (!files.has(file)) throw new DistillInputError(`${source}: CIFAR-100 is missing ${file}`);
    classNames = names(files.get('fine_label_names.txt')) ?? Array.from({ length: 100 }, (_, i) => String(i));
    if (classNames.length !== 100) throw new DistillInputError(`${source}: fine_label_names.txt names ${classNames.length} classes, not 100`);
    train = decodeCifarRecords(files.get('train.bin')!, 2, 100, 'train.bin');
    test = decodeCifarRecords(files.get('test.bin')!, 2, 100, 'test.bin');
    name = 'cifar100';
  } else {
    const missing = CIFAR10_FILES.filter((file) => !files.has(file));
    if (missing.length > 0) throw new DistillInputError(`${source}: CIFAR-10 is missing ${missing.join(', ')}`);
    classNames = names(files.get('batches.meta.txt')) ?? CIFAR10_CLASSES;
    if (classNames.length !== 10) throw new DistillInputError(`${source}: batches.meta.txt names ${classNames.length} classes, not 10`);
    train = concatSplits(CIFAR10_FILES.slice(0, 5).map((file) => decodeCifarRecords(files.get(file)!, 1, 10, file)));
    test = decodeCifarRecords(files.get('test_batch.bin')!, 1, 10, 'test_batch.bin');
    name = 'cifar10';
  }
  return withChannelStats({ name, format: 'cifar-binary', shape: [32, 32, 3], classNames, train, test });
}

async function folderFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!isCifarFile(entry.name)) continue;
    // A FIFO or device of that name would hang the read: only regular files are data.
    const info = await stat(join(dir, entry.name));
    if (!info.isFile()) throw new DistillInputError(`${join(dir, entry.name)}: not a regular file`);
    files.set(entry.name, new Uint8Array(await readFile(join(dir, entry.name))));
  }
  return files;
}

/** A .tar.gz that is not CIFAR's, opened as a zip of the same files would be (FER2013's fer2013.tar.gz, Imagenette's .tgz). */
async function openOtherTarGz(path: string, size: number | undefined): Promise<ImageDataset> {
  const entries = Object.fromEntries(await readTarGzEntries(path, () => true, { fullPaths: true }));
  if (Object.keys(entries).length === 0) throw new DistillInputError(`${basename(path)}: an empty archive (expected CIFAR's files, pixel CSVs, IDX files or class folders of images)`);
  const { openArchivedDataset } = await import('./archived-dataset');
  const { DEFAULT_IMAGE_SIZE } = await import('./image-folder');
  return openArchivedDataset(path, entries, size ?? DEFAULT_IMAGE_SIZE);
}

/**
 * A folder of the binary files (cifar-10-batches-bin/, cifar-100-binary/), or the official
 * .tar.gz; any other .tar.gz is opened by what it holds (`size`: for one of image folders).
 */
export function cifarFormat(size?: number): DatasetFormat {
  return {
    id: 'cifar-binary',
    async match(path) {
      if (isTarGz(path)) return true;
      const info = await stat(path).catch(() => null);
      if (!info?.isDirectory()) return false;
      const entries = await readdir(path);
      return entries.some((name) => CIFAR10_FILES.includes(name) || CIFAR100_FILES.includes(name));
    },
    async open(path) {
      const files = isTarGz(path) ? await readTarGzEntries(path, isCifarFile) : await folderFiles(path);
      if (files.size > 0) return cifarFromFiles(files, basename(path));
      if (isTarGz(path)) return openOtherTarGz(path, size);
      throw new DistillInputError(`${basename(path)}: no CIFAR files (expected ${CIFAR10_FILES[0]} or train.bin)`);
    },
    async contentFormat(path) {
      if (!isTarGz(path)) return 'cifar-binary';
      const names = await tarGzEntryNames(path);
      if (names.some((name) => isCifarFile(basename(name)))) return 'cifar-binary';
      return (await import('./archived-dataset')).archivedFormat(names);
    },
  };
}
