import { DistillInputError } from '../errors';

/**
 * How much a dataset file may unpack to. Archives and gzip'd files are checked against these
 * before (declared sizes) and while (actual bytes) they are inflated, so a small "bomb" never
 * takes memory. DISTILL_MAX_UNPACKED_BYTES and DISTILL_MAX_ENTRY_BYTES lower them (tests do).
 */
export function unpackLimits(): { total: number; entry: number } {
  const env = (name: string, fallback: number) => {
    const value = Number(process.env[name]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return { total: env('DISTILL_MAX_UNPACKED_BYTES', 4 * 2 ** 30), entry: env('DISTILL_MAX_ENTRY_BYTES', 512 * 2 ** 20) };
}

export function tooLarge(name: string, bytes: number, limit: number, what = 'unpacks to'): DistillInputError {
  return new DistillInputError(`${name}: ${what} ${bytes.toLocaleString('en-US')} bytes or more, over the limit of ${limit.toLocaleString('en-US')} (an archive bomb, or a file that is not what it says)`);
}

/** The first line of a library's message (libvips, zlib), without its stack of details. */
export const firstLine = (error: unknown) => String((error as Error).message ?? error).split('\n')[0]!.trim();
