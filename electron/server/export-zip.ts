import { zip } from 'fflate';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistillInputError } from '../engine/errors';

/** A saved model folder (model.json + weights) as one zip, for a browser download. */
export async function zipModelFolder(dir: string): Promise<Uint8Array> {
  const names = await readdir(dir).catch(() => {
    throw new DistillInputError(`no model at ${dir}`);
  });
  const files: Record<string, Uint8Array> = {};
  for (const name of names.filter((n) => !n.endsWith('.tmp'))) files[name] = new Uint8Array(await readFile(join(dir, name)));
  return new Promise((resolve, reject) => zip(files, { level: 6 }, (error, data) => (error ? reject(error) : resolve(data))));
}
