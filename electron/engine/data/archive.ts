import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { DistillInputError } from '../errors';

/** Reads the wanted entries of a .tar.gz (by base name) into memory, without touching the disk. */
export async function readTarGzEntries(path: string, wanted: (name: string) => boolean): Promise<Map<string, Uint8Array>> {
  const entries = new Map<string, Uint8Array>();
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    const name = basename(header.name);
    if (header.type !== 'file' || !wanted(name)) {
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
    throw new DistillInputError(`${basename(path)}: not a readable .tar.gz archive (${(error as Error).message})`);
  }
  return entries;
}

export const isTarGz = (path: string) => /\.(tar\.gz|tgz)$/i.test(path);
