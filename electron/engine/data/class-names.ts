import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DistillInputError } from '../errors';

/** The optional class-names.txt in a dataset's folder, one name per line (Fashion-MNIST's downloads write one); none: empty. */
export async function readClassNamesFile(dir: string): Promise<{ path: string; names: string[] }> {
  const path = join(dir, 'class-names.txt');
  const names = (await readFile(path, 'utf8').catch(() => '')).split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  return { path, names };
}

/** Class names spelled by the labels, in the order they are numbered: numbers in a name by value ("size 2" before "size 10"). */
export const sortClassNames = (names: Iterable<string>): string[] => [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/** Names for class numbers 0 … classes − 1: class-names.txt's when it has them, which must be one per class, else the numbers. */
export function namesOfClassNumbers(classes: number, file: { path: string; names: string[] }): string[] {
  if (file.names.length > 0 && file.names.length !== classes) throw new DistillInputError(`${file.path}: names ${file.names.length} classes but the labels have ${classes}`);
  return file.names.length > 0 ? file.names : Array.from({ length: classes }, (_, i) => String(i));
}
