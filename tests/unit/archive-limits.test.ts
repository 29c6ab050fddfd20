import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { encodeIdx, readIdxImages } from '../../electron/engine/data/idx';
import { loadDataset } from '../../electron/engine/data/load';
import { DistillInputError } from '../../electron/engine/errors';
import { runCli } from '../helpers/cli';
import { tarGz, tempDir, cifar10Files } from '../helpers/fixtures';

/** Lowered caps, so the bombs stay small in the test (the defaults are 512 MiB an entry, 4 GiB in all). */
const saved = { ...process.env };
before(() => {
  process.env.DISTILL_MAX_ENTRY_BYTES = String(1 << 20);
  process.env.DISTILL_MAX_UNPACKED_BYTES = String(2 << 20);
});
after(() => {
  for (const key of ['DISTILL_MAX_ENTRY_BYTES', 'DISTILL_MAX_UNPACKED_BYTES']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

const inputError = (pattern: RegExp) => (error: Error) => error instanceof DistillInputError && pattern.test(error.message) && !error.message.includes('\n');

describe('archive and gzip bombs are refused before they take memory', () => {
  it('a zip of one entry past the cap, declared honestly', async () => {
    const dir = await tempDir('zip-bomb-');
    const zip = zipSync({ 'pets/cats/1.png': new Uint8Array(3 << 20) }, { level: 9 });
    assert.ok(zip.length < 20_000, `the bomb is small: ${zip.length} bytes`);
    await writeFile(join(dir, 'pets.zip'), zip);
    await assert.rejects(loadDataset(join(dir, 'pets.zip')), inputError(/pets\.zip: pets\/cats\/1\.png: declares 3,145,728 bytes or more, over the limit of 1,048,576/));
  });

  it('a zip whose header lies about the size is stopped while it inflates', async () => {
    const dir = await tempDir('zip-liar-');
    const zip = zipSync({ 'pets/cats/1.png': new Uint8Array(3 << 20) }, { level: 9 });
    // The local header's uncompressed size (offset 22) says 100 bytes.
    new DataView(zip.buffer, zip.byteOffset).setUint32(22, 100, true);
    await writeFile(join(dir, 'pets.zip'), zip);
    await assert.rejects(loadDataset(join(dir, 'pets.zip')), inputError(/pets\.zip: pets\/cats\/1\.png: unpacks to [\d,]+ bytes or more, over the limit of 1,048,576/));
  });

  it('a gzip\'d IDX file is checked against its header first', async () => {
    const dir = await tempDir('gz-bomb-');
    // Declares 60,000 images of 28×28 (47 MB): refused from the header, before inflating.
    await writeFile(join(dir, 'declared.gz'), gzipSync(encodeIdx([60000, 28, 28], new Uint8Array(60000 * 784))));
    await assert.rejects(readIdxImages(join(dir, 'declared.gz')), inputError(/declared\.gz: declares 47,040,016 bytes or more, over the limit of 2,097,152/));
    // Declares 2×4×4 and then carries 5 MB of zeros: stopped at the declared size.
    const liar = new Uint8Array(5 << 20);
    liar.set(encodeIdx([2, 4, 4], new Uint8Array(32)));
    await writeFile(join(dir, 'liar.gz'), gzipSync(liar));
    await assert.rejects(readIdxImages(join(dir, 'liar.gz')), inputError(/liar\.gz: corrupt IDX file: more data than its header declares \(48 bytes\)/));
  });

  it('a .tar.gz entry past the cap', async () => {
    const dir = await tempDir('tar-bomb-');
    const files = cifar10Files(1);
    files['data_batch_1.bin'] = new Uint8Array(3 << 20);
    await writeFile(join(dir, 'cifar-10-binary.tar.gz'), await tarGz(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`cifar-10-batches-bin/${name}`, bytes]))));
    await assert.rejects(loadDataset(join(dir, 'cifar-10-binary.tar.gz')), inputError(/data_batch_1\.bin: declares 3,145,728 bytes or more/));
    // Entries it skips count too: 3 MiB of anything else is inflated all the same, and stopped.
    const skipped = { ...cifar10Files(1), 'video.bin': new Uint8Array(3 << 20) };
    await writeFile(join(dir, 'padded.tar.gz'), await tarGz(skipped));
    await assert.rejects(loadDataset(join(dir, 'padded.tar.gz')), inputError(/padded\.tar\.gz: unpacks to [\d,]+ bytes or more, over the limit of 2,097,152/));
  });
});

describe('broken dataset files are one line and exit 2', () => {
  it('a truncated .tar.gz, a FIFO among images, a truncated JPEG', async () => {
    const root = await tempDir('broken-');
    const archive = await tarGz(Object.fromEntries(Object.entries(cifar10Files(20)).map(([name, bytes]) => [`cifar-10-batches-bin/${name}`, bytes])));
    await writeFile(join(root, 'cut.tar.gz'), archive.subarray(0, Math.floor(archive.length / 2)));
    const jpeg = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 10, g: 200, b: 30 } } }).jpeg().toBuffer();
    for (const cls of ['a', 'b']) {
      await mkdir(join(root, 'jpegs', cls), { recursive: true });
      await mkdir(join(root, 'fifo', cls), { recursive: true });
      for (let i = 0; i < 3; i++) {
        await writeFile(join(root, 'jpegs', cls, `${i}.jpg`), cls === 'b' && i === 2 ? jpeg.subarray(0, 200) : jpeg);
        await writeFile(join(root, 'fifo', cls, `${i}.jpg`), jpeg);
      }
    }
    execFileSync('mkfifo', [join(root, 'fifo', 'a', 'pipe.jpg')]);
    const cases: Array<[string, RegExp]> = [
      [join(root, 'cut.tar.gz'), /cut\.tar\.gz: not a readable \.tar\.gz archive: it is cut short/],
      [join(root, 'fifo'), /pipe\.jpg: not a regular file/],
      [join(root, 'jpegs'), /2\.jpg: not a readable image \(/],
    ];
    for (const [path, pattern] of cases) {
      const { code, stderr } = await runCli(['datasets', 'inspect', path], { timeoutMs: 60_000 });
      assert.equal(code, 2, `${path}: ${stderr}`);
      assert.match(stderr, pattern);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
    }
  });
});
