import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { datasetFormatOf, loadDataset } from '../../electron/engine/data/load';
import { DistillInputError } from '../../electron/engine/errors';
import { datasetFolderFromPaths } from '../../electron/service/dataset-import';
import { pythonModulesMissing, SYSTEM_PYTHON } from '../helpers/fixtures';

const missing = pythonModulesMissing(['numpy'], 'python3-numpy');

/**
 * Writes files with NumPy itself (np.savez, np.savez_compressed, np.save): `script` runs with
 * `np` imported and `out` the folder, and may use `img(n, *shape)`, images whose pixel values
 * depend on their image and position, and `lab(n, k)`, labels cycling through k classes.
 */
async function numpyFiles(script: string): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'npz-'));
  const prelude = [
    'import numpy as np, sys',
    'out = sys.argv[1]',
    'def img(n, *shape): return ((np.arange(n * int(np.prod(shape))).reshape(n, *shape) * 37 + 11) % 256).astype(np.uint8)',
    'def lab(n, k): return (np.arange(n) * 7 % k).astype(np.uint8)',
  ].join('\n');
  execFileSync(SYSTEM_PYTHON, ['-c', `${prelude}\n${script}`, out], { stdio: 'pipe' });
  return out;
}

/** What the same script's arrays hold, printed by NumPy as JSON: the reference the loader is checked against. */
const numpyJson = (script: string, out: string) => JSON.parse(execFileSync(SYSTEM_PYTHON, ['-c', `import numpy as np, sys, json\nout = sys.argv[1]\n${script}`, out], { encoding: 'utf8' }));
const inputError = (pattern: RegExp) => (error: Error) => error instanceof DistillInputError && pattern.test(error.message);

describe('NumPy datasets (.npz, .npy)', { skip: missing ?? false }, () => {
  it("reads Keras's mnist.npz layout (np.savez_compressed) pixel for pixel, with class-names.txt beside it", async () => {
    const dir = await numpyFiles("np.savez_compressed(f'{out}/digits.npz', x_train=img(30, 5, 4), y_train=lab(30, 3), x_test=img(9, 5, 4), y_test=lab(9, 3))");
    await writeFile(join(dir, 'class-names.txt'), 'zero\none\ntwo\n');
    const path = join(dir, 'digits.npz');
    assert.equal(await datasetFormatOf(path), 'npz');
    const data = await loadDataset(path);
    assert.deepEqual([data.name, data.format, data.shape, data.classNames], ['digits', 'npz', [5, 4, 1], ['zero', 'one', 'two']]);
    const want = numpyJson("d = np.load(f'{out}/digits.npz'); print(json.dumps({k: d[k].ravel().tolist() for k in d.files}))", dir);
    assert.deepEqual([...data.train.images], want.x_train);
    assert.deepEqual([...data.train.labels], want.y_train);
    assert.deepEqual([...data.test.images], want.x_test);
    assert.deepEqual([...data.test.labels], want.y_test);
    assert.equal(data.validation, undefined);
    assert.equal(data.train.normalization, undefined, 'grey images stay pixels / 255');
    await writeFile(join(dir, 'class-names.txt'), 'zero\none\n');
    await assert.rejects(loadDataset(path), inputError(/class-names\.txt: names 2 classes but the labels have 3$/));
  });

  it("reads MedMNIST's layout: RGB images, [N, 1] labels, and its validation arrays as the dataset's own validation split; a folder holding the one file, as an upload or a drop makes it", async () => {
    const dir = await numpyFiles(
      "np.savez(f'{out}/bloodmnist.npz', train_images=img(24, 6, 6, 3), train_labels=lab(24, 4).reshape(-1, 1), val_images=img(8, 6, 6, 3), val_labels=lab(8, 4).reshape(-1, 1), test_images=img(10, 6, 6, 3), test_labels=lab(10, 4).reshape(-1, 1))",
    );
    assert.equal(await datasetFormatOf(dir), 'npz');
    const data = await loadDataset(dir);
    assert.deepEqual([data.name, data.shape, data.classNames.length, data.train.count, data.validation?.count, data.test.count], ['bloodmnist', [6, 6, 3], 4, 24, 8, 10]);
    const want = numpyJson("d = np.load(f'{out}/bloodmnist.npz'); print(json.dumps({k: d[k].ravel().tolist() for k in d.files}))", dir);
    assert.deepEqual([...data.validation!.images], want.val_images);
    assert.deepEqual([...data.validation!.labels], want.val_labels);
    assert.ok(data.train.normalization && data.train.normalization.mean.length === 3, 'colour images are normalised per channel');
    // A dropped .npz alone is opened where it is, as an archive is; a folder holding just it reads the same.
    const { folder } = await datasetFolderFromPaths([join(dir, 'bloodmnist.npz')], await mkdtemp(join(tmpdir(), 'npz-import-')));
    assert.equal(folder, join(dir, 'bloodmnist.npz'));
    assert.deepEqual((await loadDataset(folder)).test.labels, data.test.labels);
  });

  it('turns channels-first floats of 0–1 (as PyTorch keeps them) and one-hot labels into the same images and classes', async () => {
    const dir = await numpyFiles(
      [
        'x = img(12, 4, 5, 3)',
        "np.savez(f'{out}/a.npz', x_train=x, y_train=lab(12, 3), x_test=x[:4], y_test=lab(4, 3))",
        "np.savez(f'{out}/b.npz', x_train=(x.transpose(0, 3, 1, 2) / 255).astype(np.float32), y_train=np.eye(3, dtype=np.float32)[lab(12, 3)], x_test=x[:4].transpose(0, 3, 1, 2).astype(np.float64), y_test=lab(4, 3).astype(np.int64))",
      ].join('\n'),
    );
    const [a, b] = await Promise.all(['a', 'b'].map((name) => loadDataset(join(dir, `${name}.npz`))));
    assert.deepEqual(b!.shape, [4, 5, 3]);
    assert.deepEqual(b!.train.images, a!.train.images);
    assert.deepEqual(b!.train.labels, a!.train.labels);
    assert.deepEqual(b!.test.images, a!.test.images);
    assert.deepEqual(b!.test.labels, a!.test.labels);
  });

  it("numbers class names (a string array) as pixel CSVs' are: sorted, or in class-names.txt's order, the same in every split", async () => {
    const dir = await numpyFiles(
      [
        "names = np.array(['size 10', 'size 2', 'cat'])",
        "np.savez(f'{out}/named.npz', x_train=img(9, 3, 3), y_train=names[lab(9, 3)], x_test=img(3, 3, 3), y_test=names[[2, 1, 1]])",
        "np.savez(f'{out}/mixed.npz', x_train=img(9, 3, 3), y_train=names[lab(9, 3)], x_test=img(3, 3, 3), y_test=lab(3, 3))",
      ].join('\n'),
    );
    const data = await loadDataset(join(dir, 'named.npz'));
    assert.deepEqual(data.classNames, ['cat', 'size 2', 'size 10']);
    // lab(9, 3) cycles 0, 1, 2, 0, …: 'size 10', 'size 2', 'cat', …
    assert.deepEqual([...data.train.labels.subarray(0, 3)], [2, 1, 0]);
    assert.deepEqual([...data.test.labels], [0, 1, 1]);
    await writeFile(join(dir, 'class-names.txt'), 'size 10\ncat\nsize 2\n');
    const ordered = await loadDataset(join(dir, 'named.npz'));
    assert.deepEqual(ordered.classNames, ['size 10', 'cat', 'size 2']);
    assert.deepEqual([...ordered.test.labels], [1, 2, 2]);
    await writeFile(join(dir, 'class-names.txt'), 'size 10\ncat\n');
    await assert.rejects(loadDataset(join(dir, 'named.npz')), inputError(/named\.npz: y_train: the label "size 2" is not one of the 2 names in .*class-names\.txt/));
    await assert.rejects(loadDataset(join(dir, 'mixed.npz')), inputError(/mixed\.npz: y_test labels its images by class number where mixed\.npz: y_train labels them by name: use one kind in all/));
  });

  it('reads a folder of .npy files (np.save) as the .npz of the same arrays', async () => {
    const dir = await numpyFiles("[np.save(f'{out}/{k}.npy', v) for k, v in dict(x_train=img(10, 4, 4), y_train=lab(10, 2), x_test=img(4, 4, 4), y_test=lab(4, 2)).items()]");
    assert.equal(await datasetFormatOf(dir), 'npz');
    const data = await loadDataset(dir);
    assert.deepEqual([data.name, data.shape, data.train.count, data.test.count], [dir.split('/').at(-1), [4, 4, 1], 10, 4]);
  });

  it('refuses what it cannot read with one message naming the file and the problem', async () => {
    const dir = await numpyFiles(
      [
        "np.savez(f'{out}/names.npz', images=img(4, 3, 3), labels=lab(4, 2))",
        "np.savez(f'{out}/pickle.npz', x_train=np.array([{'a': 1}] * 4, dtype=object), y_train=lab(4, 2), x_test=img(2, 3, 3), y_test=lab(2, 2))",
        "np.savez(f'{out}/multi.npz', x_train=img(4, 3, 3), y_train=np.array([[1, 1, 0]] * 4), x_test=img(2, 3, 3), y_test=lab(2, 2))",
        "np.savez(f'{out}/count.npz', x_train=img(4, 3, 3), y_train=lab(5, 2), x_test=img(2, 3, 3), y_test=lab(2, 2))",
        "np.savez(f'{out}/range.npz', x_train=img(4, 3, 3).astype(np.int16) * 3, y_train=lab(4, 2), x_test=img(2, 3, 3), y_test=lab(2, 2))",
        "np.savez(f'{out}/shape.npz', x_train=img(4, 5, 5, 5), y_train=lab(4, 2), x_test=img(2, 5, 5, 5), y_test=lab(2, 2))",
        "np.savez(f'{out}/fortran.npz', x_train=np.asfortranarray(img(4, 3, 3)), y_train=lab(4, 2), x_test=img(2, 3, 3), y_test=lab(2, 2))",
        "np.savez(f'{out}/sizes.npz', x_train=img(4, 3, 3), y_train=lab(4, 2), x_test=img(2, 4, 4), y_test=lab(2, 2))",
        "open(f'{out}/cut.npz', 'wb').write(open(f'{out}/sizes.npz', 'rb').read()[:200])",
      ].join('\n'),
    );
    const cases: Array<[string, RegExp]> = [
      ['names', /names\.npz: a NumPy dataset holds x_train, y_train, x_test and y_test \(as Keras saves them\) or train_images, .*; this one holds images, labels$/],
      ['pickle', /pickle\.npz: x_train: an object array \(a pickle\), which is never read/],
      ['multi', /multi\.npz: y_train: row 0 is not one-hot .*multi-label/],
      ['count', /count\.npz: y_train: 5 labels for 4 images in count\.npz: x_train/],
      ['range', /range\.npz: x_train: pixel values from \d+ to \d+: expected 0–255, or 0–1 as floats/],
      ['shape', /shape\.npz: x_train: images of shape \[4, 5, 5, 5\]: expected/],
      ['fortran', /fortran\.npz: x_train: saved in Fortran order/],
      ['sizes', /sizes\.npz: x_train holds 3×3×1 images but x_test 4×4×1/],
      ['cut', /cut\.npz: not a readable zip archive/],
    ];
    for (const [name, pattern] of cases) await assert.rejects(loadDataset(join(dir, `${name}.npz`)), inputError(pattern), name);
  });

  it('reads within the unpack limits: a compressed array that inflates past them, or a .npy over them, is refused before it fills memory', async () => {
    // 4 MB of zeros compress to a few kB: the shape of an archive bomb.
    const dir = await numpyFiles(
      [
        "np.savez_compressed(f'{out}/bomb.npz', x_train=np.zeros((1000, 64, 64), np.uint8), y_train=lab(1000, 2), x_test=img(2, 64, 64), y_test=lab(2, 2))",
        "import os; os.mkdir(f'{out}/arrays')",
        "[np.save(f'{out}/arrays/{k}.npy', v) for k, v in dict(x_train=np.zeros((1000, 64, 64), np.uint8), y_train=lab(1000, 2), x_test=img(2, 64, 64), y_test=lab(2, 2)).items()]",
      ].join('\n'),
    );
    process.env.DISTILL_MAX_ENTRY_BYTES = String(1 << 20);
    try {
      await assert.rejects(loadDataset(join(dir, 'bomb.npz')), inputError(/bomb\.npz: x_train\.npy: (declares|unpacks to) [\d,]+ bytes or more, over the limit of 1,048,576/));
      await assert.rejects(loadDataset(join(dir, 'arrays')), inputError(/x_train\.npy: is [\d,]+ bytes or more, over the limit of 1,048,576/));
    } finally {
      delete process.env.DISTILL_MAX_ENTRY_BYTES;
    }
    assert.equal((await loadDataset(join(dir, 'arrays'))).train.count, 1000, 'within the limits, the same arrays read');
  });
});

if (missing) console.log(`# NumPy dataset tests skipped: ${missing}`);
