import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** A download that failed for a reason outside the person's input (network, server, checksum). */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
}

export interface DownloadOptions {
  url: string;
  dest: string;
  /** Hex MD5 of the whole file, as the dataset's authors publish it. */
  md5?: string;
  onProgress?: (received: number, total: number | null) => void;
  signal?: AbortSignal;
}

export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Downloads into `dest.part`, resuming it with an HTTP Range request when one is left from
 * an earlier try; checks the MD5; only then renames to `dest`. A failed checksum removes the
 * partial file, so the cache never holds a corrupt file under its real name.
 */
export async function downloadFile({ url, dest, md5, onProgress, signal }: DownloadOptions): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const have = (await stat(part).catch(() => null))?.size ?? 0;
  let response: Response;
  try {
    response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal });
  } catch (error) {
    throw new DownloadError(`${url}: cannot connect (${(error as Error).cause ?? (error as Error).message})`);
  }
  let received = 0;
  let total: number | null = null;
  if (response.status === 416 && have > 0) {
    received = have; // the part is already whole: just verify it
  } else if (response.status === 206 || response.status === 200) {
    const resumed = response.status === 206;
    const length = Number(response.headers.get('content-length') ?? NaN);
    received = resumed ? have : 0;
    total = Number.isFinite(length) ? received + length : null;
    // Each chunk is written before the next is read, so bytes received before a dropped
    // connection are on disk for the resume.
    const file = await open(part, resumed ? 'a' : 'w');
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        await file.write(chunk);
        received += chunk.length;
        onProgress?.(received, total);
      }
    } catch (error) {
      throw new DownloadError(`${basename(dest)}: download interrupted after ${received} bytes (${(error as Error).message}); run it again to resume`);
    } finally {
      await file.close();
    }
    if (total !== null && received < total) throw new DownloadError(`${basename(dest)}: download interrupted at ${received} of ${total} bytes; run it again to resume`);
  } else {
    throw new DownloadError(`${url}: the server answered HTTP ${response.status}`);
  }
  if (md5) {
    const actual = await md5File(part);
    if (actual !== md5) {
      await rm(part, { force: true });
      throw new DownloadError(`${basename(dest)}: checksum mismatch (MD5 ${actual}, expected ${md5}); the partial file was removed, run it again`);
    }
  }
  await rename(part, dest);
}
