import type { DatasetFormatId } from '../../../contract/catalogue';
import type { ImageDataset } from '../dataset';
import { holdsDataFiles, openZippedDataFiles, refuseEscapingEntries, zippedDataFormat } from './zipped-files';

/**
 * A .zip or .tar.gz opened by what it holds, as its folder would be: data files (pixel CSVs, IDX
 * files, as Kaggle's and FER2013's downloads come) by their own format, else class folders of
 * images (Imagenette's .tgz). `entries` are its files, path → bytes, already read within the
 * unpack limits.
 */
export async function openArchivedDataset(path: string, entries: Record<string, Uint8Array>, size: number): Promise<ImageDataset> {
  refuseEscapingEntries(path, Object.keys(entries));
  if (holdsDataFiles(Object.keys(entries))) return openZippedDataFiles(path, entries);
  // Loaded here: image-folder.ts imports this module.
  const { archiveTree, imageDatasetFromTree } = await import('./image-folder');
  return imageDatasetFromTree(archiveTree(path, entries), path, size);
}

/** The format an archive's files are read in, from their paths alone. */
export const archivedFormat = (names: readonly string[]): DatasetFormatId => (holdsDataFiles(names) ? zippedDataFormat(names) : 'image-folder');
