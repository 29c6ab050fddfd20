import { zip } from 'fflate';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A folder's files (one level, as an export folder is) as one zip, for a browser download. */
export async function zipFolder(dir: string): Promise<Uint8Array> {
  const names = await readdir(dir);
  const files: Record<string, Uint8Array> = {};
  for (const name of names.filter((n) => !n.endsWith('.tmp'))) files[name] = new Uint8Array(await readFile(join(dir, name)));
  return new Promise((resolve, reject) => zip(files, { level: 6 }, (error, data) => (error ? reject(error) : resolve(data))));
}
