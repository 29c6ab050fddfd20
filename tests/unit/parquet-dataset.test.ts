import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { datasetFormatOf, loadDataset } from '../../electron/engine/data/load';
import type { DatasetSplit } from '../../electron/engine/data/dataset';
import { DistillInputError } from '../../electron/engine/errors';
import { datasetFolderFromPaths } from '../../electron/service/dataset-import';
import { solidPng, writeHfParquet } from '../helpers/parquet';

/** One colour per class, far apart, so a decoded image tells its class. */
const COLOURS: Array<[number, number, number]> = [
  [230, 20, 20],
  [20, 230, 20],
  [20, 20, 230],
];
const inputError = (pattern: RegExp) => (error: Error) => error instanceof DistillInputError && pattern.test(error.message);
const rowsOf = async (labels: number[]) => ({ images: await Promise.all(labels.map((l) => solidPng(...COLOURS[l]!))), labels });

/** The class each image's colour says (its first pixel's strongest channel), beside the label it was given. */
function coloursAgree(split: DatasetSplit, size: number, classNames: string[], colourOf: (name: string) => number): boolean {
  const pixels = size * size * 3;
  return Array.from(split.labels).every((label, i) => {
    const [r, g, b] = split.images.subarray(i * pixels, i * pixels + 3);
    const strongest = [r!, g!, b!].indexOf(Math.max(r!, g!, b!));
    return strongest === colourOf(classNames[label]!);
  });
}

describe("Parquet datasets, as Hugging Face's come", () => {
  it("reads a dataset's data/ folder of train, validation and test files, its classes in the ClassLabel's order, each image under its class", async () => {
    const root = await mkdtemp(join(tmpdir(), 'parquet-'));
    await mkdir(join(root, 'beans', 'data'), { recursive: true });
    await writeFile(join(root, 'beans', 'README.md'), '---\nlicense: mit\n---\n');
    const classNames = ['zebra', 'ant', 'cat'];
    const cycle = (n: number) => Array.from({ length: n }, (_, i) => i % 3);
    await writeHfParquet(join(root, 'beans', 'data', 'train-00000-of-00002.parquet'), { ...(await rowsOf(cycle(12))), classNames });
    await writeHfParquet(join(root, 'beans', 'data', 'train-00001-of-00002.parquet'), { ...(await rowsOf(cycle(6))), classNames });
    await writeHfParquet(join(root, 'beans', 'data', 'validation-00000-of-00001.parquet'), { ...(await rowsOf([0, 1, 2])), classNames });
    await writeHfParquet(join(root, 'beans', 'data', 'test-00000-of-00001.parquet'), { ...(await rowsOf([2, 2, 1, 0, 1, 0])), classNames });
    const dir = join(root, 'beans');
    assert.equal(await datasetFormatOf(dir), 'parquet');
    const data = await loadDataset(dir, { imageSize: 8 });
    assert.deepEqual([data.name, data.format, data.shape, data.classNames], ['beans', 'parquet', [8, 8, 3], classNames]);
    assert.deepEqual([data.train.count, data.validation?.count, data.test.count], [18, 3, 6]);
    // Label n is ClassLabel's names[n], and the image stored with it is that class's colour.
    const colourOf = (name: string) => classNames.indexOf(name);
    for (const split of [data.train, data.validation!, data.test]) assert.ok(coloursAgree(split, 8, data.classNames, colourOf));
    assert.deepEqual([...data.test.labels].sort(), [0, 0, 1, 1, 2, 2]);
  });

  it('reads one file alone (20 % held out), opened where it is when dropped; columns by name and class numbers in order where the file has no features', async () => {
    const root = await mkdtemp(join(tmpdir(), 'parquet-one-'));
    const file = join(root, 'cifar-like.parquet');
    // CIFAR-10's column names (img, label), no Hugging Face metadata, classes 2 and 10.
    const labels = [2, 10, 2, 10, 2, 10, 2, 10, 2, 10];
    await writeHfParquet(file, { images: await Promise.all(labels.map((l) => solidPng(...COLOURS[l === 2 ? 0 : 1]!))), labels, imageColumn: 'img' });
    const { folder } = await datasetFolderFromPaths([file], await mkdtemp(join(tmpdir(), 'parquet-import-')));
    assert.equal(folder, file);
    const data = await loadDataset(file, { imageSize: 4 });
    assert.deepEqual([data.name, data.classNames, data.train.count, data.test.count], ['cifar-like', ['2', '10'], 8, 2]);
    assert.ok(coloursAgree(data.train, 4, data.classNames, (name) => (name === '2' ? 0 : 1)));
    // Class names as strings in the label column: sorted, as an image folder's.
    const named = join(root, 'named', 'train.parquet');
    await mkdir(join(root, 'named'));
    await writeHfParquet(named, { images: await Promise.all([0, 1, 0, 1].map((l) => solidPng(...COLOURS[l]!))), labels: ['dog', 'cat', 'dog', 'cat'] });
    assert.deepEqual((await loadDataset(join(root, 'named'), { imageSize: 4 })).classNames, ['cat', 'dog']);
  });

  it('reads files compressed with gzip or Brotli (Spark, other writers) as the Snappy one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'parquet-codecs-'));
    const rows = await rowsOf([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    const read = [];
    for (const codec of ['SNAPPY', 'GZIP', 'BROTLI'] as const) {
      await writeHfParquet(join(root, `${codec}.parquet`), { ...rows, classNames: ['a', 'b', 'c'], codec });
      read.push(await loadDataset(join(root, `${codec}.parquet`), { imageSize: 4 }));
    }
    // Each file says its codec, column by column.
    for (const codec of ['SNAPPY', 'GZIP', 'BROTLI']) {
      const bytes = await readFile(join(root, `${codec}.parquet`));
      const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      assert.deepEqual([...new Set(metadata.row_groups.flatMap((group) => group.columns.map((column) => column.meta_data?.codec)))], [codec]);
    }
    for (const other of read.slice(1)) {
      assert.deepEqual(other.train.images, read[0]!.train.images);
      assert.deepEqual(other.test.labels, read[0]!.test.labels);
    }
  });

  it('refuses what it cannot train on with one message naming the file, the row and the problem', async () => {
    const root = await mkdtemp(join(tmpdir(), 'parquet-bad-'));
    const png = await solidPng(200, 10, 10);
    const cases: Array<[string, () => Promise<void>, RegExp]> = [
      ['paths', () => writeHfParquet(join(root, 'paths.parquet'), { images: [png, { path: 'images/001.png' }], labels: [0, 1], classNames: ['a', 'b'] }), /paths\.parquet: row 1 names its image by path \(images\/001\.png\) without its bytes/],
      ['unlabelled', () => writeHfParquet(join(root, 'unlabelled.parquet'), { images: [png, png], labels: [0, -1], classNames: ['a', 'b'] }), /unlabelled\.parquet: row 1 is unlabelled \(label −1\): an unlabelled split cannot score a model/],
      ['range', () => writeHfParquet(join(root, 'range.parquet'), { images: [png, png], labels: [0, 5], classNames: ['a', 'b'] }), /range\.parquet: row 1: label 5 is not a class \(0 to 1\)/],
      ['columns', () => writeHfParquet(join(root, 'columns.parquet'), { images: [png, png], labels: [0, 1], imageColumn: 'picture', labelColumn: 'y' }), /columns\.parquet: an image dataset in Parquet has an image column .*; this one has picture, y$/],
      ['cut', async () => writeFile(join(root, 'cut.parquet'), (await readFile(join(root, 'paths.parquet'))).subarray(0, 60)), /cut\.parquet: not a Parquet file this app reads/],
    ];
    for (const [name, write, pattern] of cases) {
      await write();
      await assert.rejects(loadDataset(join(root, `${name}.parquet`), { imageSize: 4 }), inputError(pattern), name);
    }
    // A dataset's folder with two configurations' folders: one is to be chosen.
    for (const config of ['plain', 'fancy']) {
      await mkdir(join(root, 'configs', config), { recursive: true });
      await writeHfParquet(join(root, 'configs', config, 'train.parquet'), { images: [png, png], labels: [0, 1], classNames: ['a', 'b'] });
    }
    assert.equal(await datasetFormatOf(join(root, 'configs')), 'parquet');
    await assert.rejects(loadDataset(join(root, 'configs')), inputError(/configs: holds Parquet files in (plain\/, fancy\/|fancy\/, plain\/): several datasets or configurations; drop the folder of one/));
  });
});
