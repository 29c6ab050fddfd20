import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { catalogPath, downloadDataset } from '../../electron/engine/data/catalog';
import { downloadFile, DownloadError } from '../../electron/engine/data/download';
import { DistillInputError } from '../../electron/engine/errors';
import { tempDir } from '../helpers/fixtures';

const FIXTURE = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31 + 7) % 251);
const MD5 = createHash('md5').update(FIXTURE).digest('hex');

/** Serves FIXTURE with Range support; `cutNext` makes the next response stop after that many bytes. */
let server: Server;
let base: string;
let cutNext: number | null = null;
const ranges: Array<string | undefined> = [];

before(async () => {
  server = createServer((request, response) => {
    ranges.push(request.headers.range);
    const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    const body = FIXTURE.subarray(start);
    response.writeHead(match ? 206 : 200, { 'Content-Length': body.length, ...(match ? { 'Content-Range': `bytes ${start}-${FIXTURE.length - 1}/${FIXTURE.length}` } : {}) });
    if (cutNext !== null) {
      const cut = cutNext;
      cutNext = null;
      response.write(body.subarray(0, cut), () => response.destroy());
      return;
    }
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

describe('downloads', () => {
  it('downloads, checks the MD5 and renames into place', async () => {
    const dest = join(await tempDir('dl-'), 'data.bin');
    const seen: number[] = [];
    await downloadFile({ url: `${base}/data.bin`, dest, md5: MD5, onProgress: (received) => seen.push(received) });
    assert.deepEqual(new Uint8Array(await readFile(dest)), FIXTURE);
    assert.equal(seen.at(-1), FIXTURE.length);
    assert.equal(existsSync(`${dest}.part`), false);
  });

  it('keeps an interrupted transfer as .part only, then resumes it with a Range request', async () => {
    const dest = join(await tempDir('dl-'), 'data.bin');
    cutNext = 65_536;
    await assert.rejects(downloadFile({ url: `${base}/data.bin`, dest, md5: MD5 }), (e: Error) => e instanceof DownloadError && /interrupted/.test(e.message));
    assert.equal(existsSync(dest), false, 'no file under its real name');
    const partial = (await readFile(`${dest}.part`)).length;
    assert.ok(partial > 0 && partial < FIXTURE.length, `partial ${partial}`);
    ranges.length = 0;
    await downloadFile({ url: `${base}/data.bin`, dest, md5: MD5 });
    assert.deepEqual(ranges, [`bytes=${partial}-`]);
    assert.deepEqual(new Uint8Array(await readFile(dest)), FIXTURE);
  });

  it('removes a file whose checksum does not match and leaves nothing in the cache', async () => {
    const dir = await tempDir('dl-');
    const dest = join(dir, 'data.bin');
    await assert.rejects(downloadFile({ url: `${base}/data.bin`, dest, md5: '0'.repeat(32) }), /data\.bin: checksum mismatch \(MD5 [0-9a-f]{32}, expected 0{32}\); the partial file was removed/);
    assert.equal(existsSync(dest) || existsSync(`${dest}.part`), false);
  });

  it('fetches a catalogue dataset from a mirror into the cache, refusing a file that is not the official one', async () => {
    const cache = await tempDir('cache-');
    assert.throws(() => catalogPath('cifar10', cache), (e: Error) => e instanceof DistillInputError && /cifar10 is not downloaded yet: run `distill datasets download cifar10`/.test(e.message));
    await assert.rejects(downloadDataset('cifar10', { cache, baseUrl: `${base}/mirror/` }), /cifar-10-binary\.tar\.gz: checksum mismatch .* expected c32a1d4ab5d03f1284b67883e8d87530/);
    assert.equal(existsSync(join(cache, 'datasets', 'cifar10', 'cifar-10-binary.tar.gz')), false);
  });

  it('reports an unreachable server as a download error', async () => {
    const dest = join(await tempDir('dl-'), 'x.bin');
    await assert.rejects(downloadFile({ url: 'http://127.0.0.1:9/x.bin', dest }), (e: Error) => e instanceof DownloadError && /cannot connect/.test(e.message));
  });
});

describe('a download through the app service', () => {
  it('reports progress, refuses a second start, and can be cancelled with one clear message', async () => {
    const { createDistillService } = await import('../../electron/service/distill-service');
    // A server that sends the first 50,000 bytes of the archive, then stalls until told to finish.
    let release: () => void = () => {};
    const stalled = createServer((request, response) => {
      const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const start = match ? Number(match[1]) : 0;
      response.writeHead(match ? 206 : 200, { 'Content-Length': FIXTURE.length - start });
      if (match) return void response.end(FIXTURE.subarray(start));
      response.write(FIXTURE.subarray(0, 50_000));
      release = () => response.destroy();
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const events: Array<{ type: string; received?: number }> = [];
    const cache = await tempDir('svc-cache-');
    const service = createDistillService({
      runsDir: await tempDir('svc-runs-'),
      workDir: await tempDir('svc-work-'),
      host: 'server',
      version: 'test',
      onEvent: (event) => events.push(event),
      datasets: { baseUrl: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/`, cache },
    });
    try {
      const download = service.downloadDataset({ name: 'cifar10' });
      const settled = download.then(() => 'done', (error: Error) => error);
      while (!events.some((e) => e.type === 'download-progress' && (e.received ?? 0) >= 50_000)) await new Promise((r) => setTimeout(r, 20));
      await assert.rejects(service.downloadDataset({ name: 'cifar10' }), /cifar10 is downloading already/);
      assert.deepEqual(await service.cancelDownload({ name: 'cifar10' }), { cancelled: true });
      const outcome = await settled;
      assert.ok(outcome instanceof DistillInputError, String(outcome));
      assert.match(outcome.message, /download of cifar10 cancelled; what was fetched stays in the cache/);
      assert.deepEqual(await service.cancelDownload({ name: 'cifar10' }), { cancelled: false }, 'nothing left to cancel');
    } finally {
      release();
      await service.dispose();
      await new Promise((resolve) => stalled.close(resolve));
    }
  });
});
