import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { encodeIdx } from '../../electron/engine/data/idx';
import { describe, it } from 'node:test';
import { datasetFormatOf, loadDataset } from '../../electron/engine/data/load';
import { DistillInputError } from '../../electron/engine/errors';
import { MAX_LINE_BYTES } from '../../electron/engine/data/pixel-csv';
import { datasetFolderFromPaths } from '../../electron/service/dataset-import';
import { refuseIdleImageSize } from '../../electron/cli/run-flags';

/** `rows` images of side × side whose pixels depend on row and position; labels cycle through `classes`. */
function images(rows: number, side: number, classes: number) {
  const labels = Array.from({ length: rows }, (_, r) => (r * 7) % classes);
  const pixels = Array.from({ length: rows }, (_, r) => Array.from({ length: side * side }, (_, p) => (r * 31 + p * 13) % 256));
  return { labels, pixels };
}
type Images = ReturnType<typeof images>;

/** Kaggle's layout: `label,pixel1,…,pixelN`, then one row per image. */
const kaggleCsv = ({ labels, pixels }: Images, eol = '\n') =>
  [['label', ...pixels[0]!.map((_, i) => `pixel${i + 1}`)].join(','), ...labels.map((label, r) => [label, ...pixels[r]!].join(','))].join(eol) + eol;
/** No header, the label first (the widely copied mnist_train.csv). */
const bareCsv = ({ labels, pixels }: Images, eol = '\n') => labels.map((label, r) => [label, ...pixels[r]!].join(',')).join(eol) + eol;
/** OpenML's mnist_784.csv: pixel columns first, the label last, named class. */
const openMlCsv = ({ labels, pixels }: Images) =>
  [[...pixels[0]!.map((_, i) => `pixel${i + 1}`), 'class'].join(','), ...labels.map((label, r) => [...pixels[r]!, label].join(','))].join('\n') + '\n';

async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'csv-'));
  for (const [name, body] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), body);
  }
  return dir;
}

const flat = (rows: number[][]) => Uint8Array.from(rows.flat());
const inputError = (pattern: RegExp) => (error: Error) => error instanceof DistillInputError && pattern.test(error.message);

describe('pixel CSV datasets', () => {
  const train = images(30, 4, 3);
  const test = images(12, 4, 3);

  it("reads Kaggle's train and test files pixel for pixel, with class-names.txt", async () => {
    const dir = await folder({ 'fashion-mnist_train.csv': kaggleCsv(train), 'fashion-mnist_test.csv': kaggleCsv(test), 'class-names.txt': 'shirt\ncoat\nbag\n' });
    assert.equal(await datasetFormatOf(dir), 'csv');
    const data = await loadDataset(dir);
    assert.equal(data.format, 'csv');
    assert.deepEqual(data.shape, [4, 4, 1]);
    assert.deepEqual(data.classNames, ['shirt', 'coat', 'bag']);
    assert.equal(data.train.count, 30);
    assert.deepEqual(data.train.images, flat(train.pixels));
    assert.deepEqual([...data.train.labels], train.labels);
    assert.deepEqual(data.test.images, flat(test.pixels));
    assert.deepEqual([...data.test.labels], test.labels);
  });

  it('reads files without a header, with CRLF lines, gzip, and the label last under a header', async () => {
    const dir = await folder({ 'mnist_train.csv': bareCsv(train, '\r\n'), 'mnist_test.csv.gz': gzipSync(bareCsv(test)) });
    const data = await loadDataset(dir);
    assert.deepEqual(data.train.images, flat(train.pixels));
    assert.deepEqual([...data.test.labels], test.labels);
    const openMl = await folder({ 'train.csv': openMlCsv(train), 'test.csv': openMlCsv(test) });
    const last = await loadDataset(openMl);
    assert.deepEqual(last.train.images, flat(train.pixels));
    assert.deepEqual([...last.train.labels], train.labels);
  });

  it('holds out a seeded, stratified 20 % of one file alone, given as the file or its folder', async () => {
    const one = images(50, 3, 2);
    const dir = await folder({ 'digits.csv': kaggleCsv(one) });
    for (const path of [join(dir, 'digits.csv'), dir]) {
      const data = await loadDataset(path);
      assert.deepEqual(data.shape, [3, 3, 1]);
      assert.equal(data.train.count + data.test.count, 50);
      for (const label of [0, 1]) {
        const total = one.labels.filter((l) => l === label).length;
        assert.equal([...data.test.labels].filter((l) => l === label).length, Math.round(total * 0.2), `class ${label}`);
      }
      // Each held-out row is one of the file's rows, whole.
      const rows = new Set(one.pixels.map((row, r) => `${one.labels[r]}:${row.join(',')}`));
      for (let i = 0; i < data.test.count; i++) assert.ok(rows.has(`${data.test.labels[i]}:${[...data.test.images.subarray(i * 9, i * 9 + 9)].join(',')}`));
    }
    const again = await loadDataset(join(dir, 'digits.csv'));
    assert.deepEqual(again.test.images, (await loadDataset(dir)).test.images, 'the same rows are held out each time');
  });

  it("finds Kaggle's folders one level down, beside a picture, and not an image folder's metadata.csv", async () => {
    // Sign Language MNIST's download: pictures beside the data, each CSV at the top and again in a folder of its own.
    const files = {
      'sign_mnist_train/sign_mnist_train.csv': kaggleCsv(train),
      'sign_mnist_test/sign_mnist_test.csv': kaggleCsv(test),
      'sign_mnist_train.csv': kaggleCsv(train),
      'sign_mnist_test.csv': kaggleCsv(test),
      'amer_sign2.png': 'not read',
    };
    const dir = await folder(files);
    assert.equal(await datasetFormatOf(dir), 'csv');
    assert.equal((await loadDataset(dir)).test.count, 12);
    const inFolders = await folder({ 'sign_mnist_train/sign_mnist_train.csv': kaggleCsv(train), 'sign_mnist_test/sign_mnist_test.csv': kaggleCsv(test) });
    assert.deepEqual((await loadDataset(inFolders)).train.images, flat(train.pixels));
    const zipped = zipSync(Object.fromEntries(Object.entries(files).map(([name, body]) => [`archive/${name}`, strToU8(body)])));
    const fromZip = await loadDataset(join(await folder({ 'archive.zip': zipped }), 'archive.zip'));
    assert.deepEqual([fromZip.format, fromZip.train.count, fromZip.test.count], ['csv', 30, 12]);
    const pictures = await folder({ 'metadata.csv': 'file,label\n', 'cats/1.png': 'x', 'dogs/1.png': 'x' });
    assert.equal(await datasetFormatOf(pictures), 'image-folder');
  });

  it('opens two CSV files dropped loose, as the desktop app copies them into one folder', async () => {
    const dir = await folder({ 'a_train.csv': kaggleCsv(train), 'a_test.csv': kaggleCsv(test) });
    const imports = await mkdtemp(join(tmpdir(), 'imports-'));
    const { folder: imported, cleanup } = await datasetFolderFromPaths([join(dir, 'a_train.csv'), join(dir, 'a_test.csv')], imports);
    assert.deepEqual((await loadDataset(imported)).train.images, flat(train.pixels));
    await cleanup();
  });

  it("opens a zip of CSVs, or of IDX files beside them, as Kaggle's downloads come", async () => {
    const csvZip = zipSync({ 'fashion-mnist_train.csv': strToU8(kaggleCsv(train)), 'fashion-mnist_test.csv': strToU8(kaggleCsv(test)) });
    const dir = await folder({ 'archive.zip': csvZip });
    const data = await loadDataset(join(dir, 'archive.zip'));
    assert.equal(data.format, 'csv');
    assert.equal(data.name, 'archive');
    assert.deepEqual(data.train.images, flat(train.pixels));
    assert.deepEqual([...data.test.labels], test.labels);
    // One folder inside, and the IDX files beside the CSVs: those are read (the catalogue tries IDX first).
    const idx = { 'train-images-idx3-ubyte': encodeIdx([30, 4, 4], flat(train.pixels)), 'train-labels-idx1-ubyte': encodeIdx([30], Uint8Array.from(train.labels)), 't10k-images-idx3-ubyte': encodeIdx([12, 4, 4], flat(test.pixels)), 't10k-labels-idx1-ubyte': encodeIdx([12], Uint8Array.from(test.labels)) };
    const both = zipSync({ 'fm/fashion-mnist_train.csv': strToU8(kaggleCsv(train)), 'fm/fashion-mnist_test.csv': strToU8(kaggleCsv(test)), ...Object.fromEntries(Object.entries(idx).map(([name, bytes]) => [`fm/${name}`, bytes])) });
    const fmZip = join(await folder({ 'fm.zip': both }), 'fm.zip');
    const fromIdx = await loadDataset(fmZip);
    assert.equal(fromIdx.format, 'idx');
    assert.deepEqual(fromIdx.train.images, data.train.images);
    // The format is known from the entry names, so --image-size is refused for these zips as for their folders.
    assert.deepEqual([await datasetFormatOf(join(dir, 'archive.zip')), await datasetFormatOf(fmZip)], ['csv', 'idx']);
    await assert.rejects(refuseIdleImageSize({ 'image-size': '32' }, join(dir, 'archive.zip')), /--image-size changes nothing for .*archive\.zip: it is in pixel CSV format, whose images keep their size/);
    const scratch = (await readdir(tmpdir())).filter((name) => name.startsWith('distill-zip-'));
    assert.deepEqual(scratch, [], 'the unpacked files are removed');
  });

  it("refuses a zip entry whose path leaves the archive, and names a bad row's file inside it", async () => {
    const hostile = zipSync({ 'x_train.csv': strToU8(kaggleCsv(train)), '../x_test.csv': strToU8(kaggleCsv(test)) });
    await assert.rejects(loadDataset(join(await folder({ 'evil.zip': hostile }), 'evil.zip')), inputError(/evil\.zip: entry "\.\.\/x_test\.csv" has a path that leaves the archive/));
    const badRow = zipSync({ 'x_train.csv': strToU8(kaggleCsv(train).replace('\n0,', '\n0,9,')), 'x_test.csv': strToU8(kaggleCsv(test)) });
    await assert.rejects(loadDataset(join(await folder({ 'bad.zip': badRow }), 'bad.zip')), inputError(/x_train\.csv: line \d+ has 18 columns/));
    const partial = zipSync({ 'train-images-idx3-ubyte': encodeIdx([2, 4, 4], new Uint8Array(32)) });
    await assert.rejects(loadDataset(join(await folder({ 'part.zip': partial }), 'part.zip')), inputError(/^part\.zip: IDX dataset is missing train-labels-idx1-ubyte/));
  });

  it('reads labels that are class names, sorted or in class-names.txt\'s order, the same numbers in both files', async () => {
    const clothes = ['Ankle boot', 'Bag', 'Coat'];
    const named = ({ labels, pixels }: Images) => ({ labels: labels.map((label) => clothes[label]!), pixels });
    const csv = ({ labels, pixels }: { labels: string[]; pixels: number[][] }, quote = false) =>
      [['label', ...pixels[0]!.map((_, i) => `pixel${i + 1}`)].join(','), ...labels.map((label, r) => [quote ? `"${label}"` : label, ...pixels[r]!].join(','))].join('\n') + '\n';
    // The test file's rows start with another class, so its names first appear in another order.
    const testRows = images(12, 4, 3);
    testRows.labels.reverse();
    const data = await loadDataset(await folder({ 'x_train.csv': csv(named(train)), 'x_test.csv': csv(named(testRows), true) }));
    assert.deepEqual(data.classNames, ['Ankle boot', 'Bag', 'Coat']);
    assert.deepEqual([...data.train.labels], train.labels);
    assert.deepEqual([...data.test.labels], testRows.labels);
    assert.deepEqual(data.train.images, flat(train.pixels));
    // class-names.txt sets the order; a name it lacks is refused, naming both.
    const ordered = await loadDataset(await folder({ 'x_train.csv': csv(named(train)), 'x_test.csv': csv(named(testRows)), 'class-names.txt': 'Coat\nBag\nAnkle boot\n' }));
    assert.deepEqual(ordered.classNames, ['Coat', 'Bag', 'Ankle boot']);
    assert.deepEqual([...ordered.train.labels], train.labels.map((label) => 2 - label));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': csv(named(train)), 'x_test.csv': csv(named(testRows)), 'class-names.txt': 'Coat\nBag\nBoot\n' })), inputError(/x_train\.csv: the label "Ankle boot" is not one of the 3 names in .*class-names\.txt/));
    // Numbers in names sort by value; one file alone is held out from, stratified by name.
    const sizes = { labels: train.labels.map((label) => `size ${[2, 10, 9][label]}`), pixels: train.pixels };
    const alone = await loadDataset(join(await folder({ 'sizes.csv': csv(sizes) }), 'sizes.csv'));
    assert.deepEqual(alone.classNames, ['size 2', 'size 9', 'size 10']);
    assert.equal(alone.train.count + alone.test.count, 30);
    assert.deepEqual(new Set(alone.test.labels), new Set([0, 1, 2]));
    // One kind of label per dataset, and a row without one, are refused.
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': csv(named(train)), 'x_test.csv': kaggleCsv(test) })), inputError(/x_test\.csv labels its images by class number where x_train\.csv labels them by name: use one kind in both/));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': kaggleCsv(train), 'x_test.csv': csv(named(test)) })), inputError(/x_test\.csv labels its images by class name where x_train\.csv labels them by number/));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': csv(named(train)).replace('\nBag,', '\n,'), 'x_test.csv': csv(named(test)) })), inputError(/x_train\.csv: line \d+, column 1: no label/));
    // A name longer than 200 characters, or more than 256 names, is not a label column.
    const long = { labels: train.labels.map((label) => (label === 1 ? 'x'.repeat(201) : clothes[label]!)), pixels: train.pixels };
    await assert.rejects(loadDataset(join(await folder({ 'long.csv': csv(long) }), 'long.csv')), inputError(/long\.csv: line 3, column 1: a class name of 201 characters \("x{20}…"\); at most 200/));
    const many = { labels: Array.from({ length: 300 }, (_, r) => `c${r}`), pixels: images(300, 2, 1).pixels };
    await assert.rejects(loadDataset(join(await folder({ 'many.csv': csv(many) }), 'many.csv')), inputError(/many\.csv: line 258, column 1: a 257th class name \("c256"\); at most 256 classes/));
  });

  it("reads FER2013's one-cell pixels, its Usage column as the splits (PublicTest the validation split), and its variants", async () => {
    // fer2013.csv: emotion,pixels,Usage with the pixels space-separated in one (here quoted) cell.
    const rows = images(40, 4, 3);
    const usage = rows.labels.map((_, r) => (r < 24 ? 'Training' : r < 32 ? 'PublicTest' : 'PrivateTest'));
    const fer = ['emotion,pixels,Usage', ...rows.labels.map((label, r) => `${label},"${rows.pixels[r]!.join(' ')}",${usage[r]}`)].join('\n') + '\n';
    const dir = await folder({ 'fer2013.csv': fer });
    assert.equal(await datasetFormatOf(dir), 'csv');
    const data = await loadDataset(dir);
    assert.deepEqual(data.shape, [4, 4, 1]);
    const part = (from: number, to: number) => ({ images: flat(rows.pixels.slice(from, to)), labels: rows.labels.slice(from, to) });
    for (const [split, [from, to]] of [['train', [0, 24]], ['validation', [24, 32]], ['test', [32, 40]]] as const) {
      const got = data[split]!;
      assert.deepEqual({ images: got.images, labels: [...got.labels] }, part(from, to), split);
    }
    // Kaggle's later icml_face_data.csv: spaces after the commas, Usage before the pixels.
    const icml = ['emotion, Usage, pixels', ...rows.labels.map((label, r) => `${label}, ${usage[r]}, ${rows.pixels[r]!.join(' ')}`)].join('\r\n');
    const again = await loadDataset(await folder({ 'icml_face_data.csv': icml }));
    assert.deepEqual([again.train.count, again.validation?.count, again.test.count], [24, 8, 8]);
    assert.deepEqual(again.test.images, data.test.images);
    // Its seven emotions, numbered as the competition describes them, are named so (a class-names.txt still wins).
    const seven = ['emotion,pixels,Usage', ...Array.from({ length: 14 }, (_, r) => `${r % 7},${rows.pixels[r]!.join(' ')},${r < 7 ? 'Training' : 'PrivateTest'}`)].join('\n');
    assert.deepEqual((await loadDataset(await folder({ 'fer2013.csv': seven }))).classNames, ['Angry', 'Disgust', 'Fear', 'Happy', 'Sad', 'Surprise', 'Neutral']);
    assert.deepEqual((await loadDataset(await folder({ 'fer2013.csv': seven, 'class-names.txt': 'a\nb\nc\nd\ne\nf\ng\n' }))).classNames, ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual((await loadDataset(await folder({ 'x.csv': seven.replace('emotion', 'label') }))).classNames, ['0', '1', '2', '3', '4', '5', '6']);
    assert.deepEqual(data.classNames, ['0', '1', '2'], 'three numbers are not its seven emotions');
    // Without PrivateTest rows, the PublicTest rows are the test split; without a Usage column, 20 % is held out.
    const noPrivate = await loadDataset(await folder({ 'f.csv': fer.split('\n').filter((line) => !line.endsWith('PrivateTest')).join('\n') }));
    assert.deepEqual([noPrivate.train.count, noPrivate.validation, noPrivate.test.count], [24, undefined, 8]);
    const noUsage = ['label,pixels', ...rows.labels.map((label, r) => `${label},${rows.pixels[r]!.join(' ')}`)].join('\n');
    const heldOut = await loadDataset(await folder({ 'g.csv': noUsage }));
    assert.equal(heldOut.train.count + heldOut.test.count, 40);
    assert.equal(heldOut.validation, undefined);
    // Bad rows and layouts: one line each, naming the place.
    const broken = (line: number, text: string) => folder({ 'fer2013.csv': fer.split('\n').map((l, i) => (i === line ? text : l)).join('\n') });
    await assert.rejects(loadDataset(await broken(3, '1,"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",Training')), inputError(/fer2013\.csv: line 4: 15 pixels where the first row has 16/));
    await assert.rejects(loadDataset(await broken(3, '1,"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 256",Training')), inputError(/fer2013\.csv: line 4, column 2: a pixel is not a whole number 0–255/));
    await assert.rejects(loadDataset(await broken(3, `1,"${'0 '.repeat(16)}",Holdout`)), inputError(/fer2013\.csv: line 4, column 3: the split "Holdout" is not Training, PublicTest or PrivateTest/));
    await assert.rejects(loadDataset(await broken(3, `1,"${'0 '.repeat(16)}"`)), inputError(/fer2013\.csv: line 4 has 2 columns where the header has 3/));
    await assert.rejects(loadDataset(await folder({ 'h.csv': fer.replace('emotion,pixels,Usage', 'emotion,pixels,Usage,source').replace(/\n(?=.)/g, ',x\n').replace(',x\n', '\n') })), inputError(/h\.csv: the header names emotion, pixels, Usage, source: with a pixels column, a row holds a label, the pixels and at most a Usage column/));
    await assert.rejects(loadDataset(await folder({ 'train.csv': noUsage, 'test.csv': ['pixels', ...rows.pixels.map((p) => p.join(' '))].join('\n') })), inputError(/test\.csv: no label column: the header names only pixels \(an unlabelled file/));
    await assert.rejects(loadDataset(await folder({ 'a_train.csv': fer, 'a_test.csv': noUsage })), inputError(/a_train\.csv: a Usage column says which split each row is in: give that one file alone/));
    await assert.rejects(loadDataset(await folder({ 'f.csv': fer.replace(/Training/g, 'PrivateTest') })), inputError(/f\.csv: its Usage column names no training rows/));
  });

  it("reads RGB rows, each pixel's channels together (HAM10000) or in three planes (CIFAR's order), as channels-last images", async () => {
    // 6×6 pictures: smooth gradients whose colour depends on the class, channels last.
    const side = 6;
    const truth = Array.from({ length: 40 }, (_, r) => Array.from({ length: side * side * 3 }, (_, i) => {
      const [p, c] = [Math.floor(i / 3), i % 3];
      return Math.min(255, ((r % 3) * 60 + c * 40 + (p % side) * 9 + Math.floor(p / side) * 5 + r) % 256);
    }));
    const labels = truth.map((_, r) => r % 3);
    const planar = truth.map((row) => [0, 1, 2].flatMap((c) => row.filter((_, i) => i % 3 === c)));
    // hmnist_28_28_RGB.csv's layout: pixel0000… then the label, last.
    const ham = [[...truth[0]!.map((_, i) => `pixel${String(i).padStart(4, '0')}`), 'label'].join(','), ...truth.map((row, r) => [...row, labels[r]].join(','))].join('\n');
    const cifarLike = planar.map((row, r) => [labels[r], ...row].join(',')).join('\n');
    for (const [name, body] of [['hmnist_6_6_RGB.csv', ham], ['cifar_6.csv', cifarLike]] as const) {
      const data = await loadDataset(await folder({ [name]: body }));
      assert.deepEqual(data.shape, [6, 6, 3], name);
      const all = [...data.train.images, ...data.test.images];
      const rows = Array.from({ length: 40 }, (_, k) => all.slice(k * 108, (k + 1) * 108).join(','));
      // Held-out rows come in another order: every image read must be one of the true pictures.
      const pictures = new Set(truth.map((row) => row.join(',')));
      assert.ok(rows.every((row) => pictures.has(row)), `${name}: every image channels last`);
      assert.equal(data.train.normalization?.mean.length, 3, `${name}: normalised per channel, as a colour dataset is`);
    }
    // Noise has no order to find: it is read channels last, as most files are.
    const noise = truth.map((row, r) => row.map((_, i) => (i * 7919 + r * 104729) % 256));
    const noisy = await loadDataset(await folder({ 'n_train.csv': bareCsv({ labels, pixels: noise }), 'n_test.csv': bareCsv({ labels, pixels: noise }) }));
    assert.deepEqual(noisy.test.images, flat(noise));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': bareCsv(images(4, 1, 2)).replace(/\n/g, ',1,2,3,4,5,6,7,8,9\n') })), inputError(/x_train\.csv: 10 pixel columns do not make a square grayscale image \(784 columns make 28 × 28\) or a square RGB one \(2,352 make 28 × 28 × 3\)/));
  });

  it('names the file, line and column of a bad row', async () => {
    const good = kaggleCsv(train).split('\n');
    const bad = (line: number, text: string) => folder({ 'x_train.csv': [...good.slice(0, line), text, ...good.slice(line + 1)].join('\n'), 'x_test.csv': kaggleCsv(test) });
    const row = (label: string, pixels: string[]) => [label, ...pixels].join(',');
    const sixteen = (value: string) => Array.from({ length: 16 }, (_, i) => (i === 5 ? value : '0'));
    await assert.rejects(loadDataset(await bad(3, row('1', sixteen('300')))), inputError(/x_train\.csv: line 4, column 7: a pixel is not a whole number 0–255 \("300"\)/));
    await assert.rejects(loadDataset(await bad(3, row('1', sixteen('0.5')))), inputError(/line 4, column 7: a pixel is not a whole number 0–255 \("0\.5"\)/));
    await assert.rejects(loadDataset(await bad(2, row('cat', sixteen('0')))), inputError(/line 3, column 1: the label is not a class number 0–255 \("cat"\): the first row labels by class number, so every row must/));
    await assert.rejects(loadDataset(await bad(2, row('1', sixteen('0').slice(1)))), inputError(/x_train\.csv: line 3 has 16 columns where the first row has 17/));
    await assert.rejects(loadDataset(await bad(2, row('1', [...sixteen('0'), '4']))), inputError(/line 3 has 18 columns where the first row has 17/));
    // Spellings of a whole number are fine.
    const spelled = await loadDataset(await bad(2, row('"2"', sixteen('255.0'))));
    assert.equal(spelled.train.labels[1], 2);
    assert.equal(spelled.train.images[16 + 5], 255);
  });

  it('refuses what cannot be a labelled image dataset, saying what to give instead', async () => {
    const unlabelled = images(5, 4, 3).pixels;
    const kaggleTest = [unlabelled[0]!.map((_, i) => `pixel${i}`).join(','), ...unlabelled.map((row) => row.join(','))].join('\n');
    await assert.rejects(loadDataset(await folder({ 'train.csv': kaggleCsv(train), 'test.csv': kaggleTest })), inputError(/test\.csv: no label column: the header names 16 columns \(pixel0, pixel1, pixel2, …\) and none is called label, class or target \(an unlabelled file.*give only the labelled training file/));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': '1,2,3,4,5,6\n0,1,2,3,4,5\n' })), inputError(/x_train\.csv: 5 pixel columns do not make a square grayscale image/));
    await assert.rejects(loadDataset(await folder({ 'a.csv': kaggleCsv(train), 'b.csv': kaggleCsv(test), 'c_test.csv': kaggleCsv(test) })), inputError(/3 CSV files \(a\.csv, b\.csv, c_test\.csv\); give one training file and one test file/));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': kaggleCsv(train), 'x_test.csv': kaggleCsv(images(4, 3, 3)) })), inputError(/x_test\.csv: 9 pixel columns where x_train\.csv has 16/));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': kaggleCsv(images(6, 4, 1)), 'x_test.csv': kaggleCsv(images(6, 4, 1)) })), inputError(/the labels name only one class/));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': 'label,pixel1,pixel2,pixel3,pixel4\n', 'x_test.csv': kaggleCsv(test) })), inputError(/x_train\.csv: no rows of images/));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': 'label;p1;p2;p3;p4\n0;1;2;3;4\n' })), inputError(/x_train\.csv: line 1 has one column; a pixel CSV is comma-separated/));
  });

  it('refuses a file without line breaks before it gathers a line too long to hold', async () => {
    const endless = Buffer.alloc(MAX_LINE_BYTES + (1 << 20), '1,'.charCodeAt(0));
    for (let i = 1; i < endless.length; i += 2) endless[i] = 44;
    await assert.rejects(loadDataset(await folder({ 'x_train.csv': Buffer.concat([Buffer.from(kaggleCsv(train)), endless]), 'x_test.csv': kaggleCsv(test) })), inputError(/x_train\.csv: a line longer than 16,777,216 bytes: not a pixel CSV/));
  });

  it('refuses corrupt gzip, and a gzip that inflates past the limit, as it streams', async () => {
    const gz = gzipSync(kaggleCsv(train));
    await assert.rejects(loadDataset(await folder({ 'x_train.csv.gz': gz.subarray(0, gz.length - 40), 'x_test.csv': kaggleCsv(test) })), inputError(/x_train\.csv\.gz: corrupt gzip data/));
    const bomb = gzipSync(Buffer.concat([Buffer.from(kaggleCsv(train)), Buffer.alloc(4 << 20, 48)]));
    const dir = await folder({ 'x_train.csv.gz': bomb, 'x_test.csv': kaggleCsv(test) });
    process.env.DISTILL_MAX_UNPACKED_BYTES = String(1 << 20);
    try {
      await assert.rejects(loadDataset(dir), inputError(/x_train\.csv\.gz: unpacks to [\d,]+ bytes or more, over the limit of 1,048,576/));
    } finally {
      delete process.env.DISTILL_MAX_UNPACKED_BYTES;
    }
  });
});
