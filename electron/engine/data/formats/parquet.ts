import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parquetMetadata, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DistillInputError } from '../../errors';
import { ownArrayBuffer } from '../array-buffer';
import type { ImageDataset } from '../dataset';
import { firstLine, tooLarge, unpackLimits } from '../limits';
import type { DatasetFormat } from './dataset-format';
import { DEFAULT_IMAGE_SIZE, imageDatasetFromTree, type ImageFile, type Tree } from './image-folder';

const PARQUET = /\.parquet$/i;
const IGNORED = /^(\.|__MACOSX$)/;
/** A split by its file's name (Hugging Face's `train-00000-of-00001.parquet`, `test.parquet`) or its folder's. */
const SPLIT = /^(train|test|val|valid|validation)(?=$|[-_.])/i;
const splitKey = (name: string) => {
  const match = SPLIT.exec(name);
  return match ? (/^val/i.test(match[1]!) ? 'val' : match[1]!.toLowerCase()) : null;
};
/** Column names that hold the class when the file does not say (no Hugging Face features). */
const LABEL_COLUMNS = ['label', 'labels', 'fine_label', 'class', 'target'];
const IMAGE_COLUMNS = ['image', 'img', 'images', 'pixel_values'];

/**
 * The Parquet files of a dataset: a .parquet file; or the .parquet files of a folder, or of its
 * one sub-folder that holds them (a Hugging Face dataset's `data/`, or its configuration's folder),
 * or of its split folders (`train/`, `test/`).
 */
async function parquetFiles(path: string): Promise<string[] | null> {
  const info = await stat(path).catch(() => null);
  if (info?.isFile()) return PARQUET.test(path) ? [path] : null;
  if (!info?.isDirectory()) return null;
  const entries = (await readdir(path, { withFileTypes: true })).filter((entry) => !IGNORED.test(entry.name));
  const top = entries.filter((entry) => entry.isFile() && PARQUET.test(entry.name)).map((entry) => join(path, entry.name));
  if (top.length > 0) return top.sort();
  const inner = new Map<string, string[]>();
  for (const entry of entries.filter((e) => e.isDirectory())) {
    // Regular files only: a FIFO of that name would hang the read.
    const files = (await readdir(join(path, entry.name), { withFileTypes: true })).filter((file) => file.isFile() && PARQUET.test(file.name) && !IGNORED.test(file.name)).map((file) => join(path, entry.name, file.name));
    if (files.length > 0) inner.set(entry.name, files.sort());
  }
  if (inner.size === 0) return null;
  const folders = [...inner.keys()];
  // Split folders hold one dataset; other folders with Parquet files are its configurations, of which one is read.
  if (folders.every((folder) => splitKey(folder) !== null) || folders.length === 1) return [...inner.values()].flat();
  throw new DistillInputError(`${path}: holds Parquet files in ${folders.map((f) => `${f}/`).join(', ')}: several datasets or configurations; drop the folder of one`);
}

/** What a file's Hugging Face features say: the image column, the label column and its class names. */
function featuresOf(metadata: FileMetaData): { image: string | null; label: string | null; names: string[] | null } {
  const hf = metadata.key_value_metadata?.find((kv) => kv.key === 'huggingface')?.value;
  let features: Record<string, { _type?: string; names?: unknown }> = {};
  try {
    const parsed = hf ? (JSON.parse(hf) as { info?: { features?: typeof features } }) : null;
    features = parsed?.info?.features ?? {};
  } catch {
    // Unreadable metadata: the columns are found by their names instead.
  }
  const entries = Object.entries(features);
  const image = entries.find(([, f]) => f?._type === 'Image')?.[0] ?? null;
  const labels = entries.filter(([, f]) => f?._type === 'ClassLabel');
  const label = (labels.find(([name]) => name === 'label') ?? labels.find(([name]) => name === 'fine_label') ?? labels[0])?.[0] ?? null;
  const names = label ? features[label]!.names : null;
  return { image, label, names: Array.isArray(names) && names.every((n) => typeof n === 'string') ? names : null };
}

interface ReadFile {
  file: string;
  split: string;
  rows: Array<Record<string, unknown>>;
  image: string;
  label: string;
  names: string[] | null;
}

async function readParquet(file: string, split: string): Promise<ReadFile> {
  const name = basename(file);
  const buffer = ownArrayBuffer(await readFile(file));
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(buffer);
  } catch (error) {
    throw new DistillInputError(`${name}: not a Parquet file this app reads (${firstLine(error)})`);
  }
  const topLevel = topLevelColumns(metadata);
  const features = featuresOf(metadata);
  const image = features.image ?? IMAGE_COLUMNS.find((c) => topLevel.includes(c)) ?? null;
  const label = features.label ?? LABEL_COLUMNS.find((c) => topLevel.includes(c)) ?? null;
  if (!image || !label) {
    throw new DistillInputError(`${name}: an image dataset in Parquet has an image column (Hugging Face's Image feature, or one named ${IMAGE_COLUMNS.join(', ')}) and a label column (a ClassLabel, or one named ${LABEL_COLUMNS.join(', ')}); this one has ${topLevel.join(', ') || 'no columns'}`);
  }
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await parquetReadObjects({ file: buffer, metadata, columns: [image, label], compressors, utf8: false });
  } catch (error) {
    throw new DistillInputError(`${name}: cannot read its ${image} and ${label} columns (${firstLine(error)})`);
  }
  return { file: name, split, rows, image, label, names: features.names };
}

/** The names of a file's top-level columns (a struct's children are not columns of their own). */
function topLevelColumns(metadata: FileMetaData): string[] {
  const names: string[] = [];
  const schema = metadata.schema;
  let at = 1;
  const skip = (): void => {
    const element = schema[at++]!;
    for (let i = 0; i < (element.num_children ?? 0); i++) skip();
  };
  while (at < schema.length) {
    names.push(schema[at]!.name);
    skip();
  }
  return names;
}

/** A row's encoded image: the bytes of a Hugging Face Image ({bytes, path}) or of a binary column. */
function imageBytes(value: unknown, where: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const struct = value as { bytes?: unknown; path?: unknown } | null;
  if (struct?.bytes instanceof Uint8Array) return struct.bytes;
  if (typeof struct?.path === 'string' && struct.path) throw new DistillInputError(`${where} names its image by path (${struct.path.slice(0, 80)}) without its bytes: this app reads images stored in the file (Hugging Face's parquet export embeds them)`);
  throw new DistillInputError(`${where} has no image`);
}

async function openParquet(path: string, size: number): Promise<ImageDataset> {
  const files = await parquetFiles(path);
  if (!files) throw new DistillInputError(`${path}: no Parquet files`);
  const limit = unpackLimits().total;
  let total = 0;
  for (const file of files) {
    total += (await stat(file)).size;
    if (total > limit) throw tooLarge(basename(path), total, limit, 'holds');
  }
  const read: ReadFile[] = [];
  for (const file of files) read.push(await readParquet(file, splitKey(basename(file)) ?? splitKey(basename(dirname(file))) ?? ''));
  const names = read.find((r) => r.names)?.names ?? null;
  const differing = read.find((r) => r.names && JSON.stringify(r.names) !== JSON.stringify(names));
  if (differing) throw new DistillInputError(`${differing.file}: its class names differ from ${read.find((r) => r.names)!.file}'s`);
  const tree: Tree = new Map();
  const numbers = new Set<number>();
  for (const { file, split, rows, image, label } of read) {
    if (!tree.has(split)) tree.set(split, new Map());
    const classes = tree.get(split)!;
    rows.forEach((row, i) => {
      const where = `${file}: row ${i}`;
      const bytes = imageBytes(row[image], where);
      const value = row[label];
      let className: string;
      if (typeof value === 'string') className = value;
      else if (typeof value === 'bigint' || typeof value === 'number') {
        const n = Number(value);
        // Hugging Face marks an unlabelled image (a competition's test split) with -1.
        if (n === -1) throw new DistillInputError(`${where} is unlabelled (label −1): an unlabelled split cannot score a model; leave ${file} out (20 % of the training images are then held out for testing)`);
        if (!Number.isInteger(n) || n < 0 || (names && n >= names.length)) throw new DistillInputError(`${where}: label ${n} is not a class${names ? ` (0 to ${names.length - 1})` : ''}`);
        className = names ? names[n]! : String(n);
        numbers.add(n);
      } else throw new DistillInputError(`${where} has no label`);
      const list = classes.get(className) ?? [];
      list.push({ name: where, read: async () => bytes } satisfies ImageFile);
      classes.set(className, list);
    });
  }
  // Class numbers without names keep their order (10 after 9); names keep the file's order.
  const order = names ?? (numbers.size > 0 ? [...numbers].sort((a, b) => a - b).map(String) : undefined);
  const dataset = await imageDatasetFromTree(tree, path, size, order);
  return { ...dataset, name: PARQUET.test(path) ? basename(path).replace(PARQUET, '') : basename(path), format: 'parquet' };
}

/**
 * Parquet files as Hugging Face's datasets come (`train-00000-of-00001.parquet` and
 * `test-….parquet`, each row an encoded image and its class, the class names in the file's
 * `huggingface` metadata): decoded and resized as image folders are, the splits by file name.
 */
export function parquetFormat(size = DEFAULT_IMAGE_SIZE): DatasetFormat {
  return {
    id: 'parquet',
    async match(path) {
      // A folder of several configurations is this format's to refuse, with what to drop instead.
      return (await parquetFiles(path).catch((error: unknown) => (error instanceof DistillInputError ? [] : null))) !== null;
    },
    open: (path) => openParquet(path, size),
  };
}
