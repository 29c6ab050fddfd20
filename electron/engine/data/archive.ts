import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { DistillInputError } from '../errors';
import { firstLine, tooLarge, unpackLimits } from './limits';

/**
 * Reads the wanted entries of a .tar.gz into memory, without touching the disk, streamed with
 * caps: an entry's declared size is checked before its bytes are kept, and the total inflated
 * (skipped entries too) is bounded. A truncated or corrupt archive is one input error. Entries are named by base name
 * (CIFAR's files), or with `fullPaths` by their path in the archive (a folder's layout).
 */
export async function readTarGzEntries(path: string, wanted: (name: string) => boolean, options: { fullPaths?: boolean } = {}): Promise<Map<string, Uint8Array>> {
  const limits = unpackLimits();
  const entries = new Map<string, Uint8Array>();
  // Every entry's bytes, kept or skipped: a bomb of unwanted bytes would otherwise hold the CPU for minutes.
  let inflated = 0;
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    const name = options.fullPaths ? header.name.replace(/^(\.\/)+/, '') : basename(header.name);
    // A cut-short archive errors on the entry being read too; the pipeline reports it once.
    stream.on('error', () => {});
    const size = header.size ?? 0;
    const keep = header.type === 'file' && wanted(name);
    inflated += size;
    if (keep && size > limits.entry) return void tar.destroy(tooLarge(`${basename(path)}: ${header.name}`, size, limits.entry, 'declares'));
    if (inflated > limits.total) return void tar.destroy(tooLarge(basename(path), inflated, limits.total));
    if (!keep) {
      stream.on('end', next).resume();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      entries.set(name, new Uint8Array(Buffer.concat(chunks)));
      next();
    });
  });
  try {
    await pipeline(createReadStream(path), createGunzip(), tar);
  } catch (error) {
    if (error instanceof DistillInputError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || /unexpected end/i.test(firstLine(error)) ? 'it is cut short (an interrupted download?)' : firstLine(error);
    throw new DistillInputError(`${basename(path)}: not a readable .tar.gz archive: ${reason}`);
  }
  return entries;
}

export const isTarGz = (path: string) => /\.(tar\.gz|tgz)$/i.test(path);
/** A .zip, .tar.gz or .tgz file's name without that ending. */
export const withoutArchiveEnding = (name: string) => name.replace(/\.(zip|tar\.gz|tgz)$/i, '');

/** The paths of a .tar.gz's files, none kept: enough to tell what it holds. */
export async function tarGzEntryNames(path: string): Promise<string[]> {
  const names: string[] = [];
  await readTarGzEntries(path, (name) => (names.push(name), false), { fullPaths: true });
  return names;
}
