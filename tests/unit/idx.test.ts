import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { encodeIdx, parseIdx, readIdxImages } from '../../electron/engine/data/idx';
import { loadDataset } from '../../electron/engine/data/load';
import { DistillInputError } from '../../electron/engine/errors';

const images = (n: number, h = 4, w = 4) => encodeIdx([n, h, w], Uint8Array.from({ length: n * h * w }, (_, i) => i % 256));
const labels = (values: number[]) => encodeIdx([values.length], Uint8Array.from(values));

async function writeIdxFolder(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idx-'));
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  return dir;
}

describe('IDX parsing', () => {
  it('reads dims and data of a valid file, gzip or not', () => {
    for (const bytes of [images(3), gzipSync(images(3))]) {
      const idx = parseIdx(bytes, 'x');
      assert.deepEqual(idx.dims, [3, 4, 4]);
      assert.equal(idx.data.length, 48);
      assert.equal(idx.data[17], 17);
    }
  });

  it('rejects a truncated file, naming it and the byte counts', () => {
    const truncated = images(3).subarray(0, 40);
    assert.throws(() => parseIdx(truncated, 'train-images-idx3-ubyte'), (e: Error) => e instanceof DistillInputError && /train-images-idx3-ubyte: truncated IDX file: 3×4×4 needs 48 data bytes, found 24/.test(e.message));
  });

  it('rejects a bad magic number, an unsupported type, extra bytes and corrupt gzip', () => {
    const bad = images(1);
    bad[0] = 7;
    assert.throws(() => parseIdx(bad, 'f'), /bad magic number/);
    const float = images(1);
    float[2] = 0x0d;
    assert.throws(() => parseIdx(float, 'f'), /data type 0xd is not supported/);
    assert.throws(() => parseIdx(new Uint8Array([...images(1), 1, 2]), 'f'), /2 bytes past/);
    const gz = gzipSync(images(2));
    assert.throws(() => parseIdx(gz.subarray(0, gz.length - 10), 'f.gz'), /f.gz: corrupt gzip data/);
    assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0]), 'f'), /truncated IDX header/);
  });

  it('readIdxImages wants three dimensions and names a missing file', async () => {
    const dir = await writeIdxFolder({ 'labels.idx': labels([1, 2]) });
    await assert.rejects(readIdxImages(join(dir, 'labels.idx')), /expected an image file/);
    await assert.rejects(readIdxImages(join(dir, 'nope')), /nope: cannot read \(ENOENT\)/);
  });
});

describe('IDX folder datasets', () => {
  const valid = () => ({
    'train-images-idx3-ubyte': images(4),
    'train-labels-idx1-ubyte': labels([0, 1, 2, 1]),
    't10k-images-idx3-ubyte.gz': gzipSync(images(2)),
    't10k-labels-idx1-ubyte.gz': gzipSync(labels([2, 0])),
  });

  it('opens a folder of four files into train and test splits', async () => {
    const dataset = await loadDataset(await writeIdxFolder(valid()));
    assert.equal(dataset.format, 'idx');
    assert.deepEqual(dataset.shape, [4, 4, 1]);
    assert.equal(dataset.train.count, 4);
    assert.equal(dataset.test.count, 2);
    assert.deepEqual(dataset.classNames, ['0', '1', '2']);
  });

  it('names a missing file and a label/image count mismatch', async () => {
    const files = valid() as Record<string, Uint8Array>;
    delete files['t10k-labels-idx1-ubyte.gz'];
    await assert.rejects(loadDataset(await writeIdxFolder(files)), /missing t10k-labels-idx1-ubyte/);
    await assert.rejects(loadDataset(await writeIdxFolder({ ...valid(), 'train-labels-idx1-ubyte': labels([0, 1, 2]) })), /3 labels for 4 images/);
  });

  it('rejects a path that does not exist or holds no dataset', async () => {
    await assert.rejects(loadDataset('/no/such/dataset'), (e: Error) => e instanceof DistillInputError && /no such file or folder/.test(e.message));
    await assert.rejects(loadDataset(await writeIdxFolder({ 'notes.txt': new Uint8Array([1]) })), /not a format Distill Studio reads/);
  });

  it('reads the bundled MNIST: 60,000 + 10,000 images of 28×28', async () => {
    const mnist = await loadDataset('mnist');
    assert.equal(mnist.train.count, 60000);
    assert.equal(mnist.test.count, 10000);
    assert.deepEqual(mnist.shape, [28, 28, 1]);
    assert.equal(mnist.classNames.length, 10);
    // The first training digit of MNIST is a 5, the first test digit a 7.
    assert.equal(mnist.train.labels[0], 5);
    assert.equal(mnist.test.labels[0], 7);
  });
});
