import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DistillInputError } from '../errors';
import { resourcesDir } from '../resources';
import { catalogPath, isCatalogName } from './catalog';
import type { ImageDataset } from './dataset';
import type { DatasetFormat } from './formats/format';

/** Datasets shipped with the app, by name. */
export const BUILTIN_DATASETS = ['mnist'] as const;

export interface LoadOptions {
  /** Image folders are resized to this many pixels square. */
  imageSize?: number;
}

/** Format modules, loaded on demand (sharp, tar only when needed) and tried in order. */
const formatLoaders = (options: LoadOptions): Array<() => Promise<DatasetFormat>> => [
  async () => (await import('./formats/idx-folder')).idxFolderFormat,
  async () => (await import('./formats/cifar')).cifarFormat,
  async () => (await import('./formats/image-folder')).imageFolderFormat(options.imageSize),
];

/** Bundled datasets live in resources/; downloadable ones in the cache (an input error until downloaded). */
export function builtinDatasetPath(name: string): string | null {
  if ((BUILTIN_DATASETS as readonly string[]).includes(name)) return join(resourcesDir(), 'datasets', name);
  if (isCatalogName(name)) return catalogPath(name);
  return null;
}

/** `mnist` or a path to a dataset file or folder in any supported format. */
export async function loadDataset(spec: string, options: LoadOptions = {}): Promise<ImageDataset> {
  const builtin = builtinDatasetPath(spec);
  const path = builtin ?? spec;
  const info = await stat(path).catch(() => null);
  if (!info) {
    throw new DistillInputError(`dataset ${spec}: no such file or folder (built in: ${BUILTIN_DATASETS.join(', ')}; downloadable: cifar10, cifar100, fashion-mnist)`);
  }
  for (const load of formatLoaders(options)) {
    const format = await load();
    if (await format.match(path)) {
      const dataset = await format.open(path);
      return builtin ? { ...dataset, name: spec } : dataset;
    }
  }
  throw new DistillInputError(`dataset ${spec}: not a format Distill Studio reads (${(await describeFormats()).join('; ')})`);
}

export async function describeFormats(): Promise<string[]> {
  return Promise.all(formatLoaders({}).map(async (load) => (await load()).description));
}
