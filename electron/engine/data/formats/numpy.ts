import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DistillInputError } from '../../errors';
import type { NpyArray } from 'npyjs';
import type { ImageDataset } from '../dataset';
import { tooLarge, unpackLimits } from '../limits';
import { namesOfClassNumbers, readClassNamesFile, sortClassNames } from '../class-names';
import { withChannelStats } from '../normalize';
import { imagesFromArray, labelNamesOf, labelsFromArray, readNpy, splitOf } from '../numpy-arrays';
import { unzipBounded } from '../zip';
import type { DatasetFormat } from './dataset-format';

/** Labels are kept as bytes: at most 256 classes, as for pixel CSVs. */
const MAX_CLASSES = 256;
const NPZ = /\.npz$/i;
const NPY = /\.npy$/i;

/** The array names of each split, as Keras saves its datasets (mnist.npz) and as MedMNIST ships its .npz files. */
const NAMINGS = [
  { train: ['x_train', 'y_train'], validation: ['x_val', 'y_val'], test: ['x_test', 'y_test'] },
  { train: ['train_images', 'train_labels'], validation: ['val_images', 'val_labels'], test: ['test_images', 'test_labels'] },
] as const;

/** What is read: a .npz file, a folder holding one (an upload, a dropped file), or a folder of .npy files of those names. */
async function locate(path: string): Promise<{ npz: string } | { npyDir: string } | null> {
  const info = await stat(path).catch(() => null);
  if (info?.isFile()) return NPZ.test(path) ? { npz: path } : null;
  if (!info?.isDirectory()) return null;
  const names = (await readdir(path, { withFileTypes: true })).filter((entry) => entry.isFile() && !entry.name.startsWith('.')).map((entry) => entry.name);
  const npz = names.filter((name) => NPZ.test(name));
  if (npz.length === 1 && names.every((name) => NPZ.test(name) || /\.txt$/i.test(name))) return { npz: join(path, npz[0]!) };
  const arrays = new Set(names.filter((name) => NPY.test(name)).map((name) => name.replace(NPY, '')));
  return NAMINGS.some((naming) => naming.train.every((key) => arrays.has(key))) ? { npyDir: path } : null;
}

/** The arrays by name (without .npy), each read only when asked for. */
async function arraysOf(found: { npz: string } | { npyDir: string }): Promise<{ source: string; names: string[]; bytes: (name: string) => Promise<Uint8Array> }> {
  if ('npz' in found) {
    const size = (await stat(found.npz)).size;
    const limit = unpackLimits().total;
    if (size > limit) throw tooLarge(basename(found.npz), size, limit, 'is');
    const entries = unzipBounded(found.npz, new Uint8Array(await readFile(found.npz)));
    const byName = new Map(Object.entries(entries).filter(([name]) => NPY.test(name)).map(([name, bytes]) => [name.replace(NPY, ''), bytes]));
    return { source: basename(found.npz), names: [...byName.keys()], bytes: async (name) => byName.get(name)! };
  }
  const names = (await readdir(found.npyDir)).filter((name) => NPY.test(name)).map((name) => name.replace(NPY, ''));
  const read = async (name: string) => {
    const file = join(found.npyDir, `${name}.npy`);
    const { size } = await stat(file);
    const limit = unpackLimits().entry;
    if (size > limit) throw tooLarge(`${name}.npy`, size, limit, 'is');
    return new Uint8Array(await readFile(file));
  };
  return { source: basename(found.npyDir), names, bytes: read };
}

async function openNumpy(path: string): Promise<ImageDataset> {
  const found = await locate(path);
  if (!found) throw new DistillInputError(`${path}: not a NumPy dataset (a .npz file, or a folder of .npy files)`);
  const { source, names, bytes } = await arraysOf(found);
  const naming = NAMINGS.find((n) => [...n.train, ...n.test].every((key) => names.includes(key)));
  if (!naming) {
    throw new DistillInputError(
      `${source}: a NumPy dataset holds x_train, y_train, x_test and y_test (as Keras saves them) or train_images, train_labels, test_images and test_labels (as MedMNIST does); this one holds ${names.length ? names.join(', ') : 'no arrays'}`,
    );
  }
  const read = async ([imagesKey, labelsKey]: readonly [string, string]) => {
    const [x, y] = [`${source}: ${imagesKey}`, `${source}: ${labelsKey}`];
    return { key: imagesKey, x, y, images: imagesFromArray(x, readNpy(x, await bytes(imagesKey))), labels: readNpy(y, await bytes(labelsKey)) };
  };
  const arrays = [await read(naming.train), await read(naming.test), ...(naming.validation.every((key) => names.includes(key)) ? [await read(naming.validation)] : [])];
  const shape = arrays[0]!.images.shape;
  for (const other of arrays.slice(1)) {
    if (other.images.shape.join('×') !== shape.join('×')) throw new DistillInputError(`${source}: ${naming.train[0]} holds ${shape.join('×')} images but ${other.key} ${other.images.shape.join('×')}`);
  }
  // Optional class-names.txt beside the arrays, as the IDX folder reads it.
  const { classNames, labels } = classesOf(arrays, await readClassNamesFile('npz' in found ? dirname(found.npz) : found.npyDir));
  const [train, test, validation] = arrays.map((array, i) => splitOf(array.x, array.images, array.y, labels[i]!));
  const dataset: ImageDataset = {
    name: source.replace(NPZ, ''),
    format: 'npz',
    shape,
    classNames,
    train: train!,
    test: test!,
    ...(validation ? { validation } : {}),
  };
  return shape[2] === 3 ? withChannelStats(dataset) : dataset;
}

/**
 * The classes and each split's labels as class numbers: numbers as they are (named by
 * class-names.txt when it is there), or class names (a string array) numbered in
 * class-names.txt's order, else sorted (numbers in a name by value), as pixel CSVs' names are.
 */
function classesOf(arrays: Array<{ y: string; labels: NpyArray }>, namesFile: { path: string; names: string[] }): { classNames: string[]; labels: Uint8Array[] } {
  const named = namesFile.names;
  const byName = arrays.map((array) => labelNamesOf(array.y, array.labels));
  const mixed = arrays.find((_, i) => (byName[i] === null) !== (byName[0] === null));
  if (mixed) throw new DistillInputError(`${mixed.y} labels its images ${byName[0] ? 'by class number' : 'by class name'} where ${arrays[0]!.y} labels them ${byName[0] ? 'by name' : 'by number'}: use one kind in all`);
  if (byName[0]) {
    const classNames = named.length > 0 ? named : sortClassNames(new Set(byName.flatMap((names) => names!)));
    if (classNames.length > MAX_CLASSES) throw new DistillInputError(`${arrays[0]!.y}: ${classNames.length} class names; at most ${MAX_CLASSES} classes`);
    if (classNames.length < 2) throw new DistillInputError(`${arrays[0]!.y}: the labels name only one class`);
    const index = new Map(classNames.map((name, i) => [name, i]));
    const labels = byName.map((names, i) =>
      Uint8Array.from(names!, (name) => {
        const number = index.get(name);
        if (number === undefined) throw new DistillInputError(`${arrays[i]!.y}: the label "${name.slice(0, 40)}" is not one of the ${classNames.length} names in ${namesFile.path}`);
        return number;
      }),
    );
    return { classNames, labels };
  }
  const labels = arrays.map((array) => labelsFromArray(array.y, array.labels, MAX_CLASSES));
  const classes = Math.max(...labels.map((l) => l.reduce((m, label) => Math.max(m, label + 1), 0)));
  if (classes < 2) throw new DistillInputError(`${arrays[0]!.y}: the labels name only one class`);
  return { classNames: namesOfClassNumbers(classes, namesFile), labels };
}

/**
 * NumPy arrays (the format Python's ML code saves data in): a .npz of the training and test
 * images and labels, under Keras's names or MedMNIST's, with their validation arrays as the
 * dataset's own validation split when present; or the same arrays as .npy files in a folder.
 */
export const numpyFormat: DatasetFormat = {
  id: 'npz',
  async match(path) {
    return (await locate(path)) !== null;
  },
  open: openNumpy,
};
