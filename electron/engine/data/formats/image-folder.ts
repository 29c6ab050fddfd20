import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DistillInputError } from '../../errors';
import { singleTopFolder, unzipBounded, zipEntryNames } from '../zip';
import type { DatasetSplit, ImageDataset } from '../dataset';
import { stratifiedSplit } from '../holdout';
import { withChannelStats } from '../normalize';
import { decodeRgbImage } from '../image-for-dataset';
import type { DatasetFormat } from './dataset-format';
import { withoutArchiveEnding } from '../archive';
import { IMAGE_FILE, IMAGE_FILE_ENDINGS } from '../image-files';
import { archivedFormat, openArchivedDataset } from './archived-dataset';

/**
 * One sub-folder per class of images (PNG, JPEG, WebP, TIFF, GIF, AVIF) of any size (`cats/…`, `dogs/…`), optionally
 * under `train/` and `test/`, with a `val/` (`valid/`, `validation/`) beside them that is the
 * dataset's own validation split; or under `train/` and `val/` alone, where `val/` is the split
 * reported on (as Imagenette's is); or a .zip of such a folder. Images are decoded and resized
 * with sharp to size × size RGB; without split folders, a seeded stratified split holds out 20 %.
 */
export interface ImageFile {
  /** Shown in errors: the path in the folder or the zip. */
  name: string;
  read(): Promise<Uint8Array>;
}
export type Tree = Map<string, Map<string, ImageFile[]>>; // split ('' when none, train, test, val) → class → files

const IGNORED = /^(\.|__MACOSX$|Thumbs\.db$|desktop\.ini$)/i;
export const DEFAULT_IMAGE_SIZE = 32;
const SPLIT_FOLDER = /^(train|test|val|valid|validation)$/i;
/** A split folder's name as the tree keys it: every spelling of validation is `val`. */
const splitKey = (name: string) => (/^val/i.test(name) ? 'val' : name.toLowerCase());

function addFile(tree: Tree, parts: string[], file: ImageFile): void {
  // parts: [split?, class, file]
  const [split, cls] = parts.length >= 3 && SPLIT_FOLDER.test(parts[0]!) ? [splitKey(parts[0]!), parts[1]!] : ['', parts[0]!];
  if (!tree.has(split)) tree.set(split, new Map());
  const classes = tree.get(split)!;
  if (!classes.has(cls)) classes.set(cls, []);
  classes.get(cls)!.push(file);
}

async function folderTree(root: string): Promise<Tree> {
  const tree: Tree = new Map();
  const walk = async (dir: string, parts: string[]): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (IGNORED.test(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (parts.length < 2) await walk(path, [...parts, entry.name]);
        continue;
      }
      if (parts.length === 0) continue; // loose files beside the class folders (a README) are not data
      // A FIFO, socket or device would hang or mislead a read: only regular files are images.
      const regular = entry.isFile() || (entry.isSymbolicLink() && (await stat(path).catch(() => null))?.isFile());
      if (!regular) throw new DistillInputError(`${path}: not a regular file (image folders hold .png, .jpg or .jpeg files)`);
      if (!IMAGE_FILE.test(entry.name)) throw new DistillInputError(`${path}: not an image this app reads (image folders hold ${IMAGE_FILE_ENDINGS} files)`);
      addFile(tree, [...parts, entry.name], { name: path, read: async () => new Uint8Array(await readFile(path)) });
    }
  };
  await walk(root, []);
  return tree;
}

/** An archive's entries (path → bytes) as class folders, under split folders or not. */
export function archiveTree(path: string, entries: Record<string, Uint8Array>): Tree {
  const names = Object.keys(entries).filter((name) => !name.endsWith('/') && !name.split('/').some((part) => IGNORED.test(part)));
  // A zip of a folder has that folder as its single top-level entry: look inside it.
  const top = singleTopFolder(names);
  const strip = top !== null && !SPLIT_FOLDER.test(top) ? 1 : 0;
  const tree: Tree = new Map();
  for (const name of names) {
    const parts = name.split('/').slice(strip);
    if (parts.length < 2) continue;
    if (!IMAGE_FILE.test(name)) throw new DistillInputError(`${basename(path)}: ${name} is not an image this app reads (image folders hold ${IMAGE_FILE_ENDINGS} files)`);
    const data = entries[name]!;
    addFile(tree, parts, { name: `${basename(path)}:${name}`, read: async () => data });
  }
  return tree;
}

/** Decodes and resizes every image to size × size × 3 uint8. */
async function decodeAll(files: Array<{ item: ImageFile; label: number }>, size: number): Promise<DatasetSplit> {
  const pixels = size * size * 3;
  const images = new Uint8Array(files.length * pixels);
  const labels = new Uint8Array(files.length);
  for (const [i, { item: file, label }] of files.entries()) {
    images.set((await decodeRgbImage(await file.read(), size, size, file.name)).pixels, i * pixels);
    labels[i] = label;
  }
  return { count: files.length, images, labels };
}

export async function imageDatasetFromTree(tree: Tree, source: string, size: number, classOrder?: readonly string[]): Promise<ImageDataset> {
  const splitNames = [...tree.keys()];
  const hasSplits = splitNames.some((split) => split !== '');
  const folders = ['train', 'val', 'test'].filter((split) => tree.has(split)).map((split) => `${split}/`);
  const present = folders.join(' and ');
  if (hasSplits && !tree.has('train')) throw new DistillInputError(`${source}: has ${folders.length > 1 ? `${present} folders` : `a ${present} folder`} but no train/ folder of class folders of images`);
  // A split folder of loose images, beside train/ or beside class folders: a competition's unlabelled test set, which cannot score a model (nor is it a class).
  const loose = [...(tree.get('')?.keys() ?? [])].find((name) => SPLIT_FOLDER.test(name));
  const heldOut = hasSplits ? 'train/' : 'each class';
  if (loose) throw new DistillInputError(`${source}: ${loose}/ holds images but no class folders: an unlabelled set cannot score a model (sort its images into class folders, or remove it and 20 % of ${heldOut} is held out for testing)`);
  if (hasSplits && tree.has('')) throw new DistillInputError(`${source}: mixes ${present} with other class folders`);
  // train/ alone is class folders as any others, 20 % held out; train/ and val/ alone: val/ is what the dataset reports on (Imagenette's is), so it is the test split here.
  const pool = !hasSplits ? tree.get('')! : folders.length === 1 ? tree.get('train')! : null;
  const testKey = tree.has('test') ? 'test' : 'val';
  const validationKey = tree.has('test') && tree.has('val') ? 'val' : null;
  const found = [...new Set(splitNames.flatMap((split) => [...tree.get(split)!.keys()]))];
  // The classes in the order the dataset gives them (a Parquet file's ClassLabel names, every one of them), else sorted.
  const classNames = classOrder ? [...classOrder] : found.sort((a, b) => a.localeCompare(b));
  if (classNames.length === 0) throw new DistillInputError(`${source}: no class folders of images`);
  if (classNames.length === 1) throw new DistillInputError(`${source}: only one class (${classNames[0]}): a classifier needs at least two class folders`);
  if (classNames.length > 256) throw new DistillInputError(`${source}: ${classNames.length} classes; at most 256 are supported`);
  const list = (split: string) => classNames.flatMap((name, label) => (tree.get(split)!.get(name) ?? []).map((item) => ({ item, label })));
  const { train, test } = pool ? stratifiedSplit(classNames.map((name) => pool.get(name) ?? []), 1) : { train: list('train'), test: list(testKey) };
  if (train.length === 0) throw new DistillInputError(`${source}: the training split is empty`);
  if (test.length === 0) throw new DistillInputError(`${source}: the test split is empty (put at least two images in a class, or add a test/ folder)`);
  const trainSplit = await decodeAll(train, size);
  const testSplit = await decodeAll(test, size);
  const validationSplit = validationKey ? await decodeAll(list(validationKey), size) : null;
  return withChannelStats({
    name: withoutArchiveEnding(basename(source)),
    format: 'image-folder',
    shape: [size, size, 3],
    classNames,
    train: trainSplit,
    test: testSplit,
    ...(validationSplit && validationSplit.count > 0 ? { validation: validationSplit } : {}),
  });
}

export function imageFolderFormat(size = DEFAULT_IMAGE_SIZE): DatasetFormat {
  return {
    id: 'image-folder',
    async match(path) {
      if (/\.zip$/i.test(path)) return true;
      const info = await stat(path).catch(() => null);
      if (!info?.isDirectory()) return false;
      const entries = await readdir(path, { withFileTypes: true });
      return entries.some((entry) => entry.isDirectory() && !IGNORED.test(entry.name));
    },
    async open(path) {
      if (!/\.zip$/i.test(path)) return imageDatasetFromTree(await folderTree(path), path, size);
      // A zip of pixel CSVs or IDX files (as Kaggle's downloads come) is opened as its folder would be.
      return openArchivedDataset(path, unzipBounded(path, new Uint8Array(await readFile(path))), size);
    },
    async contentFormat(path) {
      if (!/\.zip$/i.test(path)) return 'image-folder';
      return archivedFormat(zipEntryNames(path, new Uint8Array(await readFile(path))));
    },
  };
}
