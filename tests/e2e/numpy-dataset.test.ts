import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resourcesDir } from '../../electron/engine/resources';
import { runCli } from '../helpers/cli';
import { pythonModulesMissing, SYSTEM_PYTHON, tempDir } from '../helpers/fixtures';

const missing = pythonModulesMissing(['numpy'], 'python3-numpy');

/** The bundled MNIST's IDX files as Keras's mnist.npz holds them: x_train [60000, 28, 28] uint8, y_train [60000] uint8, … */
const TO_NPZ = `
import gzip, sys, numpy as np
src, out = sys.argv[1], sys.argv[2]
def read(name, offset):
    with gzip.open(f'{src}/{name}') as f: return np.frombuffer(f.read(), np.uint8, offset=offset)
np.savez_compressed(out,
    x_train=read('train-images-idx3-ubyte.gz', 16).reshape(-1, 28, 28), y_train=read('train-labels-idx1-ubyte.gz', 8),
    x_test=read('t10k-images-idx3-ubyte.gz', 16).reshape(-1, 28, 28), y_test=read('t10k-labels-idx1-ubyte.gz', 8))
`;

describe('a NumPy .npz dataset end to end', { skip: missing ?? false }, () => {
  it("trains on Keras's mnist.npz exactly as on the bundled MNIST it was made from", async () => {
    const root = await tempDir('npz-run-');
    const npz = join(root, 'mnist.npz');
    execFileSync(SYSTEM_PYTHON, ['-c', TO_NPZ, join(resourcesDir(), 'datasets', 'mnist'), npz]);
    const flags = ['--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--teacher-epochs', '1', '--epochs', '1', '--limit-train', '1500', '--limit-test', '500', '--backend', 'cpu'];
    const results = [];
    for (const [dataset, out] of [[npz, 'from-npz'], ['mnist', 'from-idx']] as const) {
      const run = await runCli(['run', '--dataset', dataset, ...flags, '--out', join(root, out)]);
      assert.equal(run.code, 0, run.stderr);
      results.push(JSON.parse(await readFile(join(root, out, 'result.json'), 'utf8')));
    }
    const [fromNpz, fromIdx] = results;
    // Same images, labels and order: the deterministic run gives the same models to the last image.
    for (const role of ['teacher', 'student', 'baseline']) assert.deepEqual(fromNpz[role].confusion, fromIdx[role].confusion, role);
    assert.ok(fromNpz.teacher.accuracy > 0.5, `teacher ${fromNpz.teacher.accuracy}`);
    const inspected = await runCli(['datasets', 'inspect', npz]);
    assert.match(inspected.stdout, /^mnist: npz format, 10 classes, 28×28×1 images\ntrain 60,000 · test 10,000\n/);
  });
});

if (missing) console.log(`# NumPy end-to-end test skipped: ${missing}`);
