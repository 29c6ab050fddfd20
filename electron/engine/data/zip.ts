import { basename } from 'node:path';
import { Unzip, UnzipInflate } from 'fflate';
import { DistillInputError } from '../errors';
import { firstLine, tooLarge, unpackLimits } from './limits';

/**
 * A zip's entries, inflated as a stream with caps: an entry's declared and actual size, and the
 * total, are checked as the bytes come, so a small zip of one huge entry fails in a moment.
 */
export function unzipBounded(path: string, bytes: Uint8Array): Record<string, Uint8Array> {
  // A whole zip ends with its central directory's end record ("PK\x05\x06"); a cut-short one does not.
  const tail = bytes.subarray(Math.max(0, bytes.length - 65_557));
  const hasEnd = tail.some((b, i) => b === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6);
  if (!hasEnd) throw new DistillInputError(`${basename(path)}: not a readable zip archive (no end of central directory: cut short, or not a zip)`);
  const limits = unpackLimits();
  const entries: Record<string, Uint8Array> = {};
  let total = 0;
  let failure: Error | null = null;
  const unzip = new Unzip((file) => {
    if (file.name.endsWith('/') || failure) return;
    if ((file.originalSize ?? 0) > limits.entry) {
      failure = tooLarge(`${basename(path)}: ${file.name}`, file.originalSize!, limits.entry, 'declares');
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = new DistillInputError(`${basename(path)}: ${file.name} is corrupt (${firstLine(error)})`);
        return;
      }
      size += chunk.length;
      total += chunk.length;
      if (size > limits.entry) failure = tooLarge(`${basename(path)}: ${file.name}`, size, limits.entry);
      else if (total > limits.total) failure = tooLarge(basename(path), total, limits.total);
      if (failure) return file.terminate();
      chunks.push(chunk);
      if (final) entries[file.name] = chunks.length === 1 ? chunks[0]! : concat(chunks, size);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < bytes.length && !failure; at += 1 << 16) unzip.push(bytes.subarray(at, Math.min(bytes.length, at + (1 << 16))), at + (1 << 16) >= bytes.length);
  } catch (error) {
    failure ??= new DistillInputError(`${basename(path)}: not a readable zip archive (${firstLine(error)})`);
  }
  if (failure) throw failure;
  return entries;
}

/** A zip's entry names, read from its local headers without inflating anything: enough to tell what it holds. */
export function zipEntryNames(path: string, bytes: Uint8Array): string[] {
  const names: string[] = [];
  const unzip = new Unzip((file) => {
    if (!file.name.endsWith('/')) names.push(file.name);
  });
  try {
    unzip.push(bytes, true);
  } catch (error) {
    throw new DistillInputError(`${basename(path)}: not a readable zip archive (${firstLine(error)})`);
  }
  return names;
}

/**
 * The one folder a zip of a folder holds all its entries under (`pets/…`), or null: a zip
 * made by compressing a folder has it as its only top-level entry, and the data is inside.
 */
export function singleTopFolder(names: readonly string[]): string | null {
  const tops = new Set(names.map((name) => name.split('/')[0]!));
  return tops.size === 1 && names.every((name) => name.includes('/')) ? [...tops][0]! : null;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

