import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DistillInputError } from '../errors';
import { resourcesDir } from '../resources';
import type { ImageDataset } from './dataset';
import type { DatasetFormat } from './formats/format';

/** Datasets shipped with the app, by name. */
export const BUILTIN_DATASETS = ['mnist'] as const;

/** Format modules, loaded on demand and tried in order. */
const FORMAT_LOADERS: Array<() => Promise<DatasetFormat>> = [
  async () => (await import('./formats/idx-folder')).idxFolderFormat,
];

export function builtinDatasetPath(name: string): string | null {
  return (BUILTIN_DATASETS as readonly string[]).includes(name) ? join(resourcesDir(), 'datasets', name) : null;
}

/** `mnist` or a path to a dataset file or folder in any supported format. */
export async function loadDataset(spec: string): Promise<ImageDataset> {
  const builtin = builtinDatasetPath(spec);
  const path = builtin ?? spec;
  const info = await stat(path).catch(() => null);
  if (!info) {
    throw new DistillInputError(`dataset ${spec}: no such file or folder (built in: ${BUILTIN_DATASETS.join(', ')})`);
  }
  for (const load of FORMAT_LOADERS) {
    const format = await load();
    if (await format.match(path)) {
      const dataset = await format.open(path);
      return builtin ? { ...dataset, name: spec } : dataset;
    }
  }
  throw new DistillInputError(`dataset ${spec}: not a format Distill Studio reads (${(await describeFormats()).join('; ')})`);
}

export async function describeFormats(): Promise<string[]> {
  return Promise.all(FORMAT_LOADERS.map(async (load) => (await load()).description));
}
