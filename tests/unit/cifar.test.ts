import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { datasetFormatOf, loadDataset } from '../../electron/engine/data/load';
import { DistillInputError } from '../../electron/engine/errors';
import { cifar10Files, cifarRecords, tarGz, tempDir, writeFiles } from '../helpers/fixtures';

describe('CIFAR binary version', () => {
  it('reads a folder of CIFAR-10 batches into 32×32×3 images, channels last', async () => {
    const dir = await writeFiles(await tempDir('cifar10-'), cifar10Files(4));
    const data = await loadDataset(dir);
    assert.equal(data.format, 'cifar-binary');
    assert.deepEqual([data.train.count, data.test.count, data.shape], [20, 4, [32, 32, 3]]);
    assert.equal(data.classNames[9], 'truck');
    // Record 1 of data_batch_1 (seed 1): pixel (y=0, x=5), green = (1 + 1·7 + 50 + 5) % 256.
    assert.equal(data.train.images[1 * 3072 + 5 * 3 + 1], (1 + 7 + 50 + 5) % 256);
    assert.equal(data.train.labels[1], 2);
    assert.equal(data.train.normalization!.mean.length, 3);
  });

  it('reads the official .tar.gz without extracting it', async () => {
    const files = Object.fromEntries(Object.entries(cifar10Files(3)).map(([name, bytes]) => [`cifar-10-batches-bin/${name}`, bytes]));
    const path = join(await tempDir('cifar10-tgz-'), 'cifar-10-binary.tar.gz');
    await writeFile(path, await tarGz({ ...files, 'cifar-10-batches-bin/readme.html': '<html>' }));
    const data = await loadDataset(path);
    assert.deepEqual([data.name, data.train.count, data.test.count], ['cifar10', 15, 3]);
  });

  it("opens any other .tar.gz by what it holds: FER2013's CSV, class folders of images (Imagenette's .tgz)", async () => {
    const dir = await tempDir('other-tgz-');
    // fer2013.tar.gz holds fer2013/fer2013.csv, as the original download did.
    const rows = Array.from({ length: 30 }, (_, r) => `${r % 3},${Array.from({ length: 16 }, (_, p) => (r * 5 + p) % 256).join(' ')},${r < 20 ? 'Training' : r < 25 ? 'PublicTest' : 'PrivateTest'}`);
    const fer = join(dir, 'fer2013.tar.gz');
    await writeFile(fer, await tarGz({ './fer2013/fer2013.csv': ['emotion,pixels,Usage', ...rows].join('\n'), './fer2013/._fer2013.csv': 'AppleDouble' }));
    assert.equal(await datasetFormatOf(fer), 'csv');
    const faces = await loadDataset(fer);
    assert.deepEqual([faces.name, faces.format, faces.shape, faces.train.count, faces.validation?.count, faces.test.count], ['fer2013', 'csv', [4, 4, 1], 20, 5, 5]);
    // train/ and val/ class folders: resized to the image size asked for, tested on val/.
    const png = (r: number, b: number) => sharp({ create: { width: 6, height: 5, channels: 3, background: { r, g: 0, b } } }).png().toBuffer();
    const images: Record<string, Uint8Array> = {};
    for (const [split, count] of [['train', 3], ['val', 2]] as const) {
      for (let i = 0; i < count; i++) [images[`nette/${split}/red/${i}.png`], images[`nette/${split}/blue/${i}.png`]] = [await png(250, 0), await png(0, 250)];
    }
    const nette = join(dir, 'nette.tgz');
    await writeFile(nette, await tarGz(images));
    assert.equal(await datasetFormatOf(nette), 'image-folder');
    const pictures = await loadDataset(nette, { imageSize: 8 });
    assert.deepEqual([pictures.name, pictures.format, pictures.shape, pictures.train.count, pictures.test.count, pictures.classNames], ['nette', 'image-folder', [8, 8, 3], 6, 4, ['blue', 'red']]);
    assert.ok(pictures.test.images[0]! < 40 && pictures.test.images[2]! > 200, 'the first test image (blue) decodes blue');
    // The official CIFAR archive is still CIFAR; an empty one and one that leaves its folder are refused.
    assert.equal(await datasetFormatOf(join(dir, '..', 'none.tgz')).catch(() => 'missing'), 'missing');
    const empty = join(dir, 'empty.tar.gz');
    await writeFile(empty, await tarGz({}));
    await assert.rejects(loadDataset(empty), (e: Error) => e instanceof DistillInputError && /empty\.tar\.gz: an empty archive \(expected CIFAR's files, pixel CSVs, IDX files or class folders of images\)/.test(e.message));
    const escaping = join(dir, 'escaping.tar.gz');
    await writeFile(escaping, await tarGz({ '../evil/x_train.csv': 'label,p1,p2,p3,p4\n0,1,2,3,4\n1,1,2,3,4\n' }));
    await assert.rejects(loadDataset(escaping), /escaping\.tar\.gz: entry "\.\.\/evil\/x_train\.csv" has a path that leaves the archive/);
  });

  it('reads CIFAR-100 with the fine label (the second byte) and 100 names', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `class${i}`).join('\n');
    const dir = await writeFiles(await tempDir('cifar100-'), {
      'train.bin': cifarRecords([[3, 42], [19, 99], [0, 0]]),
      'test.bin': cifarRecords([[5, 7]]),
      'fine_label_names.txt': names,
      'coarse_label_names.txt': Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'),
    });
    const data = await loadDataset(dir);
    assert.deepEqual([data.name, data.classNames.length, Array.from(data.train.labels), Array.from(data.test.labels)], ['cifar100', 100, [42, 99, 0], [7]]);
  });

  it('names the file and the problem for truncated, out-of-range and missing data', async () => {
    const files = cifar10Files(2);
    const truncated = await writeFiles(await tempDir('c-'), { ...files, 'data_batch_3.bin': (files['data_batch_3.bin'] as Uint8Array).subarray(0, 5000) });
    await assert.rejects(loadDataset(truncated), (e: Error) => e instanceof DistillInputError && /data_batch_3\.bin: truncated record: 5000 bytes is not a whole number of 3073-byte records/.test(e.message));
    const badLabel = cifarRecords([[1], [12]]);
    await assert.rejects(loadDataset(await writeFiles(await tempDir('c-'), { ...files, 'test_batch.bin': badLabel })), /test_batch\.bin: record 1 has label 12, but there are 10 classes/);
    const missing = { ...files } as Record<string, Uint8Array | string>;
    delete missing['data_batch_5.bin'];
    await assert.rejects(loadDataset(await writeFiles(await tempDir('c-'), missing)), /CIFAR-10 is missing data_batch_5\.bin/);
    const corruptGz = join(await tempDir('c-'), 'cifar-10-binary.tar.gz');
    await writeFile(corruptGz, (await tarGz({ 'x/test_batch.bin': badLabel })).subarray(0, 30));
    await assert.rejects(loadDataset(corruptGz), /cifar-10-binary\.tar\.gz: not a readable \.tar\.gz archive/);
  });
});
