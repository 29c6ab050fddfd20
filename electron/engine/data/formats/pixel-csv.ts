import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DistillInputError } from '../../errors';
import type { DatasetSplit, ImageDataset } from '../dataset';
import { stratifiedSplit } from '../holdout';
import { IMAGE_FILE } from '../image-files';
import { namesOfClassNumbers, readClassNamesFile, sortClassNames } from '../class-names';
import { withChannelStats } from '../normalize';
import { MAX_CSV_CLASSES, readPixelCsv, ROW_SPLIT, type PixelCsv } from '../pixel-csv';
import { csvImageShape, isPlanarRgb, planarToChannelsLast } from '../pixel-layout';
import type { DatasetFormat } from './dataset-format';

/**
 * Pixel CSVs (see pixel-csv.ts): a `…train….csv` and a `…test….csv` in a folder or one folder
 * down (as Kaggle's downloads unpack), gzip'd or not; or one CSV alone, of which a seeded,
 * stratified 20 % is held out as the test split, as for an image folder without test/. One CSV
 * whose Usage column names each row's split (FER2013) is split so: its test rows are the test
 * split, its validation rows the dataset's own validation split (the test split when it has no
 * test rows).
 */
const CSV = /\.csv(\.gz)?$/i;
const IGNORED = /^(\.|__MACOSX$)/;
const TRAIN = /(^|[^a-z])train([^a-z]|$)/i;
const TEST = /(^|[^a-z])(test|t10k)([^a-z]|$)/i;

/**
 * The CSV files in a folder and its sub-folders, a name found at both depths taken once, from
 * the top (Kaggle's Sign Language MNIST holds each CSV twice so); `imageFolders`: whether a
 * sub-folder holds images (then it is an image folder, not this).
 */
async function findCsvFiles(dir: string): Promise<{ files: string[]; imageFolders: boolean }> {
  const top: string[] = [];
  const inner: string[] = [];
  let imageFolders = false;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (IGNORED.test(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isFile() && CSV.test(entry.name)) top.push(path);
    if (!entry.isDirectory()) continue;
    for (const file of await readdir(path, { withFileTypes: true })) {
      if (file.isFile() && CSV.test(file.name) && !IGNORED.test(file.name)) inner.push(join(path, file.name));
      if (file.isFile() && IMAGE_FILE.test(file.name)) imageFolders = true;
    }
  }
  const names = new Set(top.map((file) => basename(file).toLowerCase()));
  const files = [...top, ...inner.filter((file) => !names.has(basename(file).toLowerCase()))];
  return { files: files.sort(), imageFolders };
}

/** Which file is the training split and which the test split (test null: hold out from train). */
function assignSplits(files: string[], where: string): { train: string; test: string | null } {
  if (files.length === 1) return { train: files[0]!, test: null };
  const named = (pattern: RegExp) => files.filter((file) => pattern.test(basename(file).replace(CSV, '')));
  const train = named(TRAIN);
  const test = named(TEST);
  if (train.length === 1 && test.length === 1 && train[0] !== test[0]) return { train: train[0]!, test: test[0]! };
  const list = files.map((file) => basename(file)).join(', ');
  throw new DistillInputError(`${where}: ${files.length} CSV files (${list}); give one training file and one test file with train and test in their names, or one file alone`);
}

function splitOf(csv: PixelCsv, indices?: number[]): DatasetSplit {
  if (!indices) return { count: csv.count, images: csv.images, labels: csv.labels };
  const images = new Uint8Array(indices.length * csv.pixels);
  const labels = new Uint8Array(indices.length);
  indices.forEach((row, i) => {
    images.set(csv.images.subarray(row * csv.pixels, (row + 1) * csv.pixels), i * csv.pixels);
    labels[i] = csv.labels[row]!;
  });
  return { count: indices.length, images, labels };
}

/** ⌈20 %⌉ of each class as the test split, seeded, when there is no test file. */
function holdOut(csv: PixelCsv, classes: number): { train: DatasetSplit; test: DatasetSplit } {
  const byClass = Array.from({ length: classes }, () => [] as number[]);
  csv.labels.forEach((label, row) => byClass[label]!.push(row));
  const { train, test } = stratifiedSplit(byClass, 1);
  return { train: splitOf(csv, train.map(({ item }) => item)), test: splitOf(csv, test.map(({ item }) => item)) };
}

/** The splits a Usage column names: its test rows (or else its validation rows) are the test split; null when it names only training rows. */
function splitsByUsage(csv: PixelCsv, name: string): { train: DatasetSplit; test: DatasetSplit; validation?: DatasetSplit } | null {
  const rows = ROW_SPLIT.map((_, split) => [...csv.splits!.keys()].filter((row) => csv.splits![row] === split));
  const [train, validation, test] = rows as [number[], number[], number[]];
  if (validation.length + test.length === 0) return null;
  if (train.length === 0) throw new DistillInputError(`${name}: its Usage column names no training rows`);
  if (test.length === 0) return { train: splitOf(csv, train), test: splitOf(csv, validation) };
  return { train: splitOf(csv, train), test: splitOf(csv, test), ...(validation.length ? { validation: splitOf(csv, validation) } : {}) };
}

async function openCsvDataset(source: string, files: CsvFiles): Promise<ImageDataset> {
  const train = await readPixelCsv(files.train);
  const test = files.test ? await readPixelCsv(files.test) : null;
  for (const [csv, file] of [[train, files.train], [test, files.test]] as const) {
    if (test && csv?.splits) throw new DistillInputError(`${basename(file!)}: a Usage column says which split each row is in: give that one file alone`);
  }
  if (test && test.pixels !== train.pixels) {
    throw new DistillInputError(`${basename(files.test!)}: ${test.pixels} pixel columns where ${basename(files.train)} has ${train.pixels}`);
  }
  const shape = csvImageShape(train.pixels, basename(files.train));
  // RGB rows in three planes (CIFAR's order) are kept channels last, as every split here is.
  if (shape[2] === 3 && isPlanarRgb(train.images, train.count, shape[0])) for (const csv of [train, test]) if (csv) planarToChannelsLast(csv.images, csv.count, shape[0]);
  // Optional class-names.txt beside the files, as for IDX folders.
  const namesFile = await readClassNamesFile(dirname(files.train));
  const classNames = train.labelNames ? classesByName(train, test, files, namesFile.names, namesFile.path) : classesByNumber(train, test, files, namesFile);
  if (classNames.length < 2) throw new DistillInputError(`${source}: the labels name only one class`);
  const splits = test ? { train: splitOf(train), test: splitOf(test) } : ((train.splits && splitsByUsage(train, basename(files.train))) ?? holdOut(train, classNames.length));
  if (splits.test.count === 0) throw new DistillInputError(`${basename(files.train)}: too few rows to hold out a test split (give a test file too)`);
  const dataset: ImageDataset = { name: basename(source).replace(CSV, ''), format: 'csv', shape, classNames, ...splits };
  return shape[2] === 3 ? withChannelStats(dataset) : dataset;
}

type CsvFiles = { train: string; test: string | null };

/** FER2013's seven expressions, by the number its `emotion` column gives them (the competition's description). */
const FER2013_EMOTIONS = ['Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral'];

/**
 * Class numbers 0 … the largest label, named by class-names.txt when it is there, else by
 * FER2013's names when the label column is its `emotion` with those seven numbers.
 */
function classesByNumber(train: PixelCsv, test: PixelCsv | null, files: CsvFiles, namesFile: { path: string; names: string[] }): string[] {
  if (test?.labelNames) throw new DistillInputError(`${basename(files.test!)} labels its images by class name where ${basename(files.train)} labels them by number: use one kind in both`);
  let classes = 0;
  for (const labels of [train.labels, test?.labels ?? new Uint8Array()]) for (const label of labels) if (label >= classes) classes = label + 1;
  if (namesFile.names.length === 0 && train.labelHeader?.toLowerCase() === 'emotion' && classes === FER2013_EMOTIONS.length) return [...FER2013_EMOTIONS];
  return namesOfClassNumbers(classes, namesFile);
}

/**
 * Class names as the labels spell them: in class-names.txt's order when it is there (every label
 * must be one of its names), else sorted (numbers in a name by value: "size 2" before "size 10"),
 * so a test file whose names first appear in another order gets the same class numbers. The
 * files' labels are rewritten in place to those numbers.
 */
function classesByName(train: PixelCsv, test: PixelCsv | null, files: CsvFiles, named: string[], namesPath: string): string[] {
  if (test && !test.labelNames) throw new DistillInputError(`${basename(files.test!)} labels its images by class number where ${basename(files.train)} labels them by name: use one kind in both`);
  const seen = [...new Set([...train.labelNames!, ...(test?.labelNames ?? [])])];
  const classNames = named.length > 0 ? named : sortClassNames(seen);
  if (classNames.length > MAX_CSV_CLASSES) throw new DistillInputError(`${basename(files.train)}: ${classNames.length} class names; at most ${MAX_CSV_CLASSES} classes`);
  const index = new Map(classNames.map((className, i) => [className, i]));
  for (const [csv, file] of [[train, files.train], [test, files.test]] as const) {
    if (!csv) continue;
    const numbers = csv.labelNames!.map((label) => {
      const number = index.get(label);
      if (number === undefined) throw new DistillInputError(`${basename(file!)}: the label "${label.slice(0, 40)}" is not one of the ${classNames.length} names in ${namesPath}`);
      return number;
    });
    csv.labels.forEach((label, row) => (csv.labels[row] = numbers[label]!));
  }
  return classNames;
}

export const pixelCsvFormat: DatasetFormat = {
  id: 'csv',
  async match(path) {
    if (CSV.test(path)) return true;
    const info = await stat(path).catch(() => null);
    if (!info?.isDirectory()) return false;
    const found = await findCsvFiles(path);
    return found.files.length > 0 && !found.imageFolders;
  },
  async open(path) {
    if (CSV.test(path)) return openCsvDataset(path, { train: path, test: null });
    return openCsvDataset(path, assignSplits((await findCsvFiles(path)).files, path));
  },
};
