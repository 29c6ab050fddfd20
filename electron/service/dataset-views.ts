import type { DatasetView } from '../contract/api';
import { formatResizes, RUN_SETTINGS } from '../contract/catalogue';
import { shortPath } from '../contract/history';
import { loadDataset, pickSamples, summarizeDataset, type ImageDataset } from '../engine';

export const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * Datasets as the service reads them: by resolved path at an image size (an image folder's images
 * are resized to it; a run's models take that size), the one in view kept so that the screens'
 * requests do not read it again, and its summary with sample images for a client.
 */
export function createDatasetViews(datasetPath: (spec: string) => Promise<string>) {
  let cache: { path: string; imageSize: number; dataset: ImageDataset } | null = null;

  const datasetAt = async (path: string, size?: number): Promise<ImageDataset> => {
    // The size matters only to a format that resizes: an IDX or CIFAR dataset is never read twice for it.
    const imageSize = size ?? RUN_SETTINGS.imageSize.default;
    const cached = cache;
    if (cached?.path === path && (cached.imageSize === imageSize || !formatResizes(cached.dataset.format))) return cached.dataset;
    cache = { path, imageSize, dataset: await loadDataset(path, { imageSize }) };
    return cache.dataset;
  };

  return {
    datasetAt,
    /** A dataset as the client names it. */
    dataset: async (spec: string, imageSize?: number) => datasetAt(await datasetPath(spec), imageSize),
    /** What the Dataset screen shows of one: its summary and sample images. */
    async view(spec: string, imageSize?: number): Promise<DatasetView> {
      const path = await datasetPath(spec);
      const data = await datasetAt(path, imageSize);
      const samples = pickSamples(data).map((sample) => ({ ...sample, pixels: base64(sample.pixels) }));
      // An upload is titled as History names it (the folder given, or `uploaded files`), not by its storage id.
      return { dataset: spec, ...summarizeDataset(data), ...(spec.startsWith('upload:') ? { name: shortPath(path, 1) } : {}), samples };
    },
    /** Lets the one in view go (a run loads its own copy; the service must not hold two). */
    forget(): void {
      cache = null;
    },
  };
}
