import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DistillInputError } from '../../errors';
import type { ImageDataset } from '../dataset';
import { withoutArchiveEnding } from '../archive';
import { IMAGE_FILE } from '../image-files';
import { singleTopFolder } from '../zip';

/**
 * A zip of files that another format reads from a folder: Kaggle's downloads (pixel CSVs, and
 * IDX files beside them) come so. Its data files, already inflated within the unpack limits,
 * are written to a scratch folder, the folder is opened as if given, and the folder is removed.
 */
const DATA_FILE = /(\.csv(\.gz)?|[.-]idx[13]-ubyte(\.gz)?|^class-names\.txt)$/i;
const IGNORED = /^(\.|__MACOSX$)/;

const IDX_FILE = /[.-]idx[13]-ubyte(\.gz)?$/i;

const dataNames = (names: readonly string[]) => names.filter((name) => !name.split('/').some((part) => IGNORED.test(part)) && DATA_FILE.test(basename(name)));

/**
 * Whether a zip is one of data files rather than of image folders: a CSV or IDX file, and no
 * image in a class folder (a picture beside the files, as Sign Language MNIST's, is not data).
 */
export function holdsDataFiles(entryNames: readonly string[]): boolean {
  const names = entryNames.filter((name) => !name.endsWith('/') && !name.split('/').some((part) => IGNORED.test(part)));
  const depth = singleTopFolder(names) !== null ? 3 : 2;
  const inClassFolder = names.some((name) => IMAGE_FILE.test(name) && name.split('/').length >= depth);
  return !inClassFolder && dataNames(entryNames).some((name) => !/class-names\.txt$/i.test(name));
}

/** The format a zip of data files is read in: IDX when it holds IDX files (tried first, as for a folder), else pixel CSV. */
export const zippedDataFormat = (entryNames: readonly string[]): 'idx' | 'csv' => (dataNames(entryNames).some((name) => IDX_FILE.test(name)) ? 'idx' : 'csv');

/** A zip entry's path as parts that stay inside the scratch folder, or an error naming it (a hostile zip's `../x`). */
function safeParts(zip: string, name: string): string[] {
  const parts = name.split('/');
  const unsafeChar = (ch: string) => ch === '\\' || ch.charCodeAt(0) < 32;
  const bad = (part: string) => part === '' || part === '.' || part === '..' || [...part].some(unsafeChar) || /^[a-z]:$/i.test(part);
  if (parts.some(bad)) throw new DistillInputError(`${zip}: entry "${name}" has a path that leaves the archive`);
  return parts;
}

/** Refuses an archive any of whose entries would leave it (`../x`, `/x`, `C:`), whatever it holds. */
export function refuseEscapingEntries(path: string, names: Iterable<string>): void {
  for (const name of names) safeParts(basename(path), name);
}

export async function openZippedDataFiles(path: string, entries: Record<string, Uint8Array>): Promise<ImageDataset> {
  const zip = basename(path);
  refuseEscapingEntries(path, Object.keys(entries));
  const names = dataNames(Object.keys(entries));
  // A zip of one folder has it as its only top-level entry: the files inside are the dataset.
  const strip = singleTopFolder(names) !== null ? 1 : 0;
  const dir = await mkdtemp(join(tmpdir(), 'distill-zip-'));
  try {
    for (const name of names) {
      const parts = name.split('/').slice(strip);
      if (parts.length > 2) continue; // the folder formats look one level down at most
      const target = join(dir, ...parts);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, entries[name]!);
    }
    // Loaded here, not at the top: load.ts loads this module's format on demand.
    const { loadDataset } = await import('../load');
    const dataset = await loadDataset(dir);
    return { ...dataset, name: withoutArchiveEnding(zip) };
  } catch (error) {
    if (error instanceof DistillInputError) throw new DistillInputError(error.message.replaceAll(dir, zip));
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
