import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOWNLOADABLE_DATASET_IDS, type DownloadableDatasetId } from '../../contract/catalogue';
import { DistillInputError } from '../errors';
import { downloadFile } from './download';

interface DownloadSpec {
  files: ReadonlyArray<{ url: string; md5: string }>;
  /** What to open once downloaded: a file of the download, or `.` for the folder. */
  open: string;
  classNames?: readonly string[];
}

/** Where each downloadable dataset of the catalogue comes from (official addresses, MD5s as published). */
export const CATALOG: Record<DownloadableDatasetId, DownloadSpec> = {
  cifar10: {
    files: [{ url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' }],
    open: 'cifar-10-binary.tar.gz',
  },
  cifar100: {
    files: [{ url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz', md5: '03b5dce01913d631647c71ecec9e9cb8' }],
    open: 'cifar-100-binary.tar.gz',
  },
  'fashion-mnist': {
    files: [
      { url: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz', md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
      { url: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz', md5: '25c81989df183df01b3e8a0aad5dffbe' },
      { url: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz', md5: 'bef4ecab320f06d8554ea6380940ec79' },
      { url: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz', md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
    ],
    open: '.',
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
};
export type CatalogName = DownloadableDatasetId;

export const isCatalogName = (name: string): name is CatalogName => (DOWNLOADABLE_DATASET_IDS as string[]).includes(name);

/** DISTILL_CACHE, else $XDG_CACHE_HOME/distill-studio, else ~/.cache/distill-studio. */
export function cacheDir(): string {
  return process.env.DISTILL_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'distill-studio');
}

const datasetDir = (name: CatalogName, cache: string) => join(cache, 'datasets', name);

/** Where a downloaded dataset is opened from; an input error if it has not been downloaded. */
export function catalogPath(name: CatalogName, cache = cacheDir()): string {
  const entry = CATALOG[name];
  const dir = datasetDir(name, cache);
  const complete = entry.files.every((file) => existsSync(join(dir, file.url.split('/').at(-1)!)));
  if (!complete) throw new DistillInputError(`dataset ${name} is not downloaded yet: run \`distill datasets download ${name}\` (or drop the official files)`);
  return join(dir, entry.open);
}

export interface DownloadProgress {
  file: string;
  received: number;
  total: number | null;
}

/**
 * Downloads every file of a dataset into the cache (skipping those already there).
 * `baseUrl` replaces the folder of each official address: for a mirror, or a test server.
 */
export async function downloadDataset(name: CatalogName, options: { cache?: string; baseUrl?: string; onProgress?: (p: DownloadProgress) => void; signal?: AbortSignal } = {}): Promise<string> {
  const cache = options.cache ?? cacheDir();
  const entry = CATALOG[name];
  const dir = datasetDir(name, cache);
  for (const file of entry.files) {
    const fileName = file.url.split('/').at(-1)!;
    const dest = join(dir, fileName);
    if (existsSync(dest)) continue;
    const url = options.baseUrl ? new URL(fileName, options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`).href : file.url;
    await downloadFile({ url, dest, md5: file.md5, signal: options.signal, onProgress: (received, total) => options.onProgress?.({ file: fileName, received, total }) });
  }
  if (entry.classNames) await writeFile(join(dir, 'class-names.txt'), entry.classNames.join('\n') + '\n');
  return catalogPath(name, cache);
}
