import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLED_DATASET_IDS, DATASET_FORMAT_CATALOGUE, DATASET_FORMAT_IDS, DOWNLOADABLE_DATASET_IDS, type DatasetFormatId } from '../../contract/catalogue';
import { DistillInputError } from '../errors';
import { resourcesDir } from '../resources';
import { catalogPath, isCatalogName } from './catalog';
import type { ImageDataset } from './dataset';
import type { DatasetFormat } from './formats/dataset-format';

/** Datasets shipped with the app, by name (the catalogue's bundled sources). */
export const BUILTIN_DATASETS = BUNDLED_DATASET_IDS;

export interface LoadOptions {
  /** Image folders are resized to this many pixels square. */
  imageSize?: number;
}

/** One reader module per catalogue format, loaded on demand (sharp, tar only when needed). */
const FORMAT_LOADERS: Record<DatasetFormatId, (options: LoadOptions) => Promise<DatasetFormat>> = {
  idx: async () => (await import('./formats/idx-folder')).idxFolderFormat,
  'cifar-binary': async (options) => (await import('./formats/cifar')).cifarFormat(options.imageSize),
  csv: async () => (await import('./formats/pixel-csv')).pixelCsvFormat,
  npz: async () => (await import('./formats/numpy')).numpyFormat,
  parquet: async (options) => (await import('./formats/parquet')).parquetFormat(options.imageSize),
  'image-folder': async (options) => (await import('./formats/image-folder')).imageFolderFormat(options.imageSize),
};
/** Bundled datasets live in resources/; downloadable ones in the cache (an input error until downloaded). */
export function builtinDatasetPath(name: string): string | null {
  if ((BUILTIN_DATASETS as readonly string[]).includes(name)) return join(resourcesDir(), 'datasets', name);
  if (isCatalogName(name)) return catalogPath(name);
  return null;
}

/** Where a dataset named or given by path lives; an input error when it is not there (a cheap check before a run). */
export async function resolveDatasetPath(spec: string): Promise<string> {
  const path = builtinDatasetPath(spec) ?? spec;
  const info = await stat(path).catch(() => null);
  if (!info) {
    throw new DistillInputError(`dataset ${spec}: no such file or folder (built in: ${BUILTIN_DATASETS.join(', ')}; downloadable: ${DOWNLOADABLE_DATASET_IDS.join(', ')})`);
  }
  return path;
}

/** The reader whose `match()` takes the file or folder first, in the catalogue's order. */
async function matchFormat(path: string, options: LoadOptions): Promise<{ id: DatasetFormatId; format: DatasetFormat } | null> {
  for (const id of DATASET_FORMAT_IDS) {
    const format = await FORMAT_LOADERS[id](options);
    if (await format.match(path)) return { id, format };
  }
  return null;
}

/** `mnist` or a path to a dataset file or folder in any supported format. */
export async function loadDataset(spec: string, options: LoadOptions = {}): Promise<ImageDataset> {
  const builtin = builtinDatasetPath(spec);
  const path = await resolveDatasetPath(spec);
  const matched = await matchFormat(path, options);
  if (!matched) throw new DistillInputError(`dataset ${spec}: not a format Distill Studio reads (${(await describeFormats()).join('; ')})`);
  const dataset = await matched.format.open(path);
  return builtin ? { ...dataset, name: spec } : dataset;
}

/** Which format a dataset is in, without reading its images (of a zip, the entry names only; null: none this app reads; loading says why). */
export async function datasetFormatOf(spec: string): Promise<DatasetFormatId | null> {
  const path = await resolveDatasetPath(spec);
  const matched = await matchFormat(path, {});
  if (!matched) return null;
  return (await matched.format.contentFormat?.(path)) ?? matched.id;
}

export async function describeFormats(): Promise<string[]> {
  return DATASET_FORMAT_IDS.map((id) => DATASET_FORMAT_CATALOGUE[id].description);
}
