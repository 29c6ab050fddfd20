import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { refuseIdleImageSize } from '../../electron/cli/run-flags';
import { datasetFormatOf, loadDataset } from '../../electron/engine/data/load';
import { DistillInputError } from '../../electron/engine/errors';
import { tempDir, writeFiles } from '../helpers/fixtures';

/** A solid-colour image written by sharp, in any size and format. */
const image = (color: { r: number; g: number; b: number }, width: number, height: number, format: 'png' | 'jpeg') =>
  sharp({ create: { width, height, channels: 3, background: color } })[format]().toBuffer().then((b) => new Uint8Array(b));

const RED = { r: 250, g: 10, b: 10 };
const BLUE = { r: 10, g: 10, b: 250 };

async function classFolders(perClass: number, prefix = ''): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < perClass; i++) {
    files[`${prefix}red/r${i}.png`] = await image(RED, 20 + i, 30, 'png');
    files[`${prefix}blue/b${i}.jpg`] = await image(BLUE, 40, 17 + i, 'jpeg');
  }
  return files;
}

describe('image folders', () => {
  it('decodes PNG and JPEG of any size to size × size RGB, classes from folder names, a stratified 20 % test split', async () => {
    const dir = await writeFiles(await tempDir('imgs-'), { ...(await classFolders(10)), 'README.md': 'not data' });
    const data = await loadDataset(dir, { imageSize: 16 });
    assert.deepEqual([data.format, data.shape, data.classNames], ['image-folder', [16, 16, 3], ['blue', 'red']]);
    assert.deepEqual([data.train.count, data.test.count], [16, 4]);
    assert.deepEqual([...data.test.labels].sort(), [0, 0, 1, 1]);
    const redIndex = data.train.labels.indexOf(1);
    const pixel = data.train.images.subarray(redIndex * 768, redIndex * 768 + 3);
    assert.ok(pixel[0]! > 200 && pixel[2]! < 40, `a red image decodes red: ${pixel}`);
  });

  it('reads WebP, TIFF, GIF and AVIF as well, each to the same colours', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const format of ['webp', 'tiff', 'gif', 'avif'] as const) {
      for (const [name, color] of [['red', RED], ['blue', BLUE]] as const) {
        const encoded = await sharp({ create: { width: 10, height: 9, channels: 3, background: color } })[format]().toBuffer();
        files[`${name}/${format}.${format === 'tiff' ? 'tif' : format}`] = new Uint8Array(encoded);
        files[`${name}/again.${format}`] = new Uint8Array(encoded);
      }
    }
    const data = await loadDataset(await writeFiles(await tempDir('imgs-'), files), { imageSize: 4 });
    assert.deepEqual([data.train.count + data.test.count, data.classNames], [16, ['blue', 'red']]);
    for (const split of [data.train, data.test]) {
      split.labels.forEach((label, i) => {
        const [r, , b] = split.images.subarray(i * 48, i * 48 + 3);
        assert.ok(label === 1 ? r! > 200 && b! < 60 : b! > 200 && r! < 60, `image ${i} of class ${label}: ${r}, ${b}`);
      });
    }
  });

  it('--image-size acts on an image folder and is refused for IDX, whose images keep their size', async () => {
    const dir = await writeFiles(await tempDir('imgs-'), await classFolders(2));
    assert.equal(await datasetFormatOf(dir), 'image-folder');
    assert.equal(await datasetFormatOf('mnist'), 'idx');
    await refuseIdleImageSize({ 'image-size': '16' }, dir);
    await refuseIdleImageSize({}, 'mnist');
    await assert.rejects(refuseIdleImageSize({ 'image-size': '16' }, 'mnist'), /--image-size changes nothing for mnist: it is in IDX format/);
  });

  it('respects train/ and test/ folders, and reads a zip of the same', async () => {
    const files = { ...(await classFolders(3, 'pets/train/')), ...(await classFolders(2, 'pets/test/')) };
    const dir = await writeFiles(await tempDir('imgs-'), files);
    const fromFolder = await loadDataset(join(dir, 'pets'));
    assert.deepEqual([fromFolder.train.count, fromFolder.test.count, fromFolder.shape], [6, 4, [32, 32, 3]]);
    const zipPath = join(dir, 'pets.zip');
    await writeFile(zipPath, zipSync(files));
    const fromZip = await loadDataset(zipPath);
    assert.deepEqual([fromZip.name, fromZip.train.count, fromZip.test.count, fromZip.classNames], ['pets', 6, 4, ['blue', 'red']]);
    assert.deepEqual(Array.from(fromZip.test.images), Array.from(fromFolder.test.images));
  });

  it("takes val/ beside train/ and test/ as the dataset's own validation split, as the test split beside train/ alone, and holds out 20 % of train/ alone", async () => {
    const files = { ...(await classFolders(3, 'chest/train/')), ...(await classFolders(1, 'chest/val/')), ...(await classFolders(2, 'chest/test/')) };
    const dir = await writeFiles(await tempDir('imgs-'), files);
    const three = await loadDataset(join(dir, 'chest'));
    assert.deepEqual([three.train.count, three.validation?.count, three.test.count], [6, 2, 4]);
    // The training split's normalisation travels with it, as with the others.
    assert.deepEqual(three.validation?.normalization, three.train.normalization);
    assert.deepEqual([...three.validation!.labels], [0, 1]);
    // Imagenette's layout, train/ and val/ (also spelled validation/), in a zip: val/ is what it reports on.
    const nette = { ...(await classFolders(3, 'imagenette/train/')), ...(await classFolders(2, 'imagenette/validation/')) };
    const zipPath = join(dir, 'imagenette.zip');
    await writeFile(zipPath, zipSync(nette));
    const two = await loadDataset(zipPath);
    assert.deepEqual([two.train.count, two.validation, two.test.count, two.classNames], [6, undefined, 4, ['blue', 'red']]);
    // train/ alone is class folders like any others: a stratified 20 % is held out.
    const alone = await loadDataset(await writeFiles(await tempDir('imgs-'), await classFolders(5, 'only/train/')).then((d) => join(d, 'only')));
    assert.deepEqual([alone.train.count, alone.test.count, [...alone.test.labels].sort()], [8, 2, [0, 1]]);
  });

  it('gives one clear error naming the file or the problem', async () => {
    const cases: Array<[Record<string, Uint8Array | string>, RegExp]> = [
      [{ ...(await classFolders(2)), 'red/broken.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }, /red\/broken\.png: not a readable image/],
      [{ 'red/a.png': await image(RED, 8, 8, 'png'), 'red/b.png': await image(RED, 8, 8, 'png') }, /only one class \(red\): a classifier needs at least two class folders/],
      [{ ...(await classFolders(2)), 'blue/notes.txt': 'hello' }, /blue\/notes\.txt: not an image this app reads \(image folders hold \.png, \.jpg, \.jpeg, \.webp, \.tif, \.tiff, \.gif or \.avif files\)/],
      [{ ...(await classFolders(2)), 'blue/old.bmp': new Uint8Array([0x42, 0x4d, 0, 0]) }, /blue\/old\.bmp: not an image this app reads/],
      [{ 'red/a.png': await image(RED, 8, 8, 'png'), 'blue/b.png': await image(BLUE, 8, 8, 'png') }, /the test split is empty/],
      [{ ...(await classFolders(2, 'train/')), 'test/1.png': await image(RED, 8, 8, 'png') }, /test\/ holds images but no class folders: an unlabelled set cannot score a model \(sort its images into class folders, or remove it and 20 % of train\/ is held out for testing\)$/],
      // Beside plain class folders, a test/ of loose images is no class named "test".
      [{ ...(await classFolders(2)), 'Test/1.png': await image(RED, 8, 8, 'png'), 'Test/2.png': await image(BLUE, 8, 8, 'png') }, /Test\/ holds images but no class folders: an unlabelled set cannot score a model \(sort its images into class folders, or remove it and 20 % of each class is held out for testing\)$/],
      [{ ...(await classFolders(2, 'valid/')), ...(await classFolders(2, 'test/')) }, /has val\/ and test\/ folders but no train\/ folder/],
      [{ ...(await classFolders(2, 'train/')), ...(await classFolders(2, 'val/')), ...(await classFolders(1)) }, /mixes train\/ and val\/ with other class folders/],
    ];
    for (const [files, pattern] of cases) {
      const dir = await writeFiles(await tempDir('bad-imgs-'), files);
      await assert.rejects(loadDataset(dir), (e: Error) => e instanceof DistillInputError && pattern.test(e.message), String(pattern));
    }
    const zipPath = join(await tempDir('bad-zip-'), 'x.zip');
    await writeFile(zipPath, new Uint8Array([0x50, 0x4b, 3, 4, 9, 9]));
    await assert.rejects(loadDataset(zipPath), /x\.zip: not a readable zip archive/);
  });
});
