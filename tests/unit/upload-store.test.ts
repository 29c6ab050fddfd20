import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { UploadRefused, UploadStore } from '../../electron/server/uploads';
import { tempDir } from '../helpers/fixtures';

/** A request carrying `body`, as the server hands it to the store. */
const requestOf = (body: Buffer) => Object.assign(Readable.from([body]), { headers: { 'content-length': String(body.length) } }) as unknown as IncomingMessage;
const id = (n: number) => n.toString(16).padStart(16, '0');

describe('the upload store: cancelled uploads', () => {
  it('refuses a file of a cancelled upload, and remembers only the latest 10,000 cancels', async () => {
    const dir = await tempDir('uploads-');
    const store = new UploadStore(dir);
    for (let n = 0; n <= 10_000; n++) await store.discard(id(n));
    await assert.rejects(store.receive(requestOf(Buffer.from('late')), id(10_000), 'a.bin'), (error: unknown) => error instanceof UploadRefused && error.status === 410);
    assert.deepEqual(await readdir(dir), [], 'the refused file left no folder');
    // The first cancel was forgotten when the 10,001st came: the set does not grow without end.
    assert.deepEqual(await store.receive(requestOf(Buffer.from('fine')), id(0), 'b.bin'), { name: 'b.bin', bytes: 4 });
    assert.deepEqual(await readdir(join(dir, id(0))), ['b.bin']);
  });
});
