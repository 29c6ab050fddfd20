import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DistillInputError } from '../engine';
import { IMPORTED_MARK, safeRelativePath } from '../service/dataset-import';

export interface UploadLimits {
  /** One file. */
  fileBytes: number;
  /** All files of one upload id together. */
  uploadBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { fileBytes: 1 << 30, uploadBytes: 4 * (1 << 30) };

/** How many cancelled uploads are remembered (oldest forgotten first). */
const MAX_REMEMBERED_CANCELS = 10_000;

/**
 * Browser uploads under `<uploadsDir>/<id>/`: each file streamed to disk with size caps, never
 * overwriting, and removed again if the request is cut short, so no partial file remains.
 */
export class UploadStore {
  private readonly used = new Map<string, number>();
  /** Uploads their person cancelled: a file of theirs still in flight, or sent late, is refused and leaves nothing. */
  private readonly cancelled = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
  ) {}

  async receive(request: IncomingMessage, uploadId: string, rawName: string): Promise<{ name: string; bytes: number }> {
    const name = safeRelativePath(rawName);
    if (this.cancelled.has(uploadId)) throw new UploadRefused(410, 'this upload was cancelled');
    try {
      const written = await this.write(request, uploadId, name);
      if (this.cancelled.has(uploadId)) throw new UploadRefused(410, 'this upload was cancelled');
      return written;
    } finally {
      // Cancelled while this file was arriving: its folder may have been made again after the cancel removed it.
      if (this.cancelled.has(uploadId)) await rm(join(this.dir, uploadId), { recursive: true, force: true });
    }
  }

  private async write(request: IncomingMessage, uploadId: string, name: string): Promise<{ name: string; bytes: number }> {
    const length = Number(request.headers['content-length'] ?? NaN);
    if (!Number.isInteger(length) || length < 0) throw new UploadRefused(411, 'an upload needs a Content-Length');
    if (length > this.limits.fileBytes) throw new UploadRefused(413, `"${name}" is ${length} bytes, over the ${this.limits.fileBytes}-byte limit for one file`);
    const total = (this.used.get(uploadId) ?? 0) + length;
    if (total > this.limits.uploadBytes) throw new UploadRefused(413, `this upload would reach ${total} bytes, over its ${this.limits.uploadBytes}-byte limit`);
    const target = join(this.dir, uploadId, name);
    try {
      await mkdir(dirname(target), { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new DistillInputError(`"${name}": a file and a folder of the same name in one upload`);
      throw error;
    }
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > length ? new DistillInputError(`"${name}": more bytes than its Content-Length`) : null, chunk);
      },
    });
    try {
      await pipeline(request, counter, createWriteStream(target, { flags: 'wx' }));
      if (received !== length) throw new DistillInputError(`"${name}": the upload was cut short (${received} of ${length} bytes)`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // `wx` refuses an existing file: that one is not ours to remove.
      if (code === 'EEXIST' || code === 'EISDIR') throw new DistillInputError(`"${name}" was already uploaded, or is a folder, in this upload`);
      await rm(target, { force: true });
      if (error instanceof DistillInputError) throw error;
      throw new DistillInputError(`"${name}": the upload was cut short`);
    }
    this.used.set(uploadId, total);
    return { name, bytes: received };
  }

  /** Uploads nothing was opened from (abandoned, or from an earlier session) are removed. */
  async sweep(): Promise<void> {
    const ids = await readdir(this.dir).catch(() => [] as string[]);
    for (const id of ids) await this.discard(id);
    this.used.clear();
  }

  /** One upload its person cancelled; an upload a dataset or teacher was opened from stays. Returns whether it was removed. */
  async discard(uploadId: string): Promise<boolean> {
    const kept = await stat(join(this.dir, uploadId, IMPORTED_MARK)).catch(() => null);
    if (kept) return false;
    this.cancelled.add(uploadId);
    // Remembered only as long as a late file could still come: the oldest are forgotten past a bound, so a client cannot grow the set without end.
    if (this.cancelled.size > MAX_REMEMBERED_CANCELS) this.cancelled.delete(this.cancelled.values().next().value!);
    await rm(join(this.dir, uploadId), { recursive: true, force: true });
    this.used.delete(uploadId);
    return true;
  }
}

/** A refusal with its HTTP status (413 too large, 411 no length, 410 cancelled). */
export class UploadRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
