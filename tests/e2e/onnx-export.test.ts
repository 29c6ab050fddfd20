import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { selectBackend } from '../../electron/engine/backend/select';
import { exportModel } from '../../electron/engine/export/registry';
import { buildModel } from '../../electron/engine/models/registry';
import { saveModelFolder } from '../../electron/engine/runs/model-io';
import { EXPORT_CASES, modelForExport } from '../helpers/export-cases';
import { pythonModulesMissing, SYSTEM_PYTHON, tempDir } from '../helpers/fixtures';

const PYTHON = SYSTEM_PYTHON;
/** ONNX's own checker (Debian's python3-onnx), when installed; the reason is printed when not. */
const onnxChecker = () => pythonModulesMissing(['onnx'], 'python3-onnx');

const CASES = EXPORT_CASES;

before(() => selectBackend('cpu'));

describe('ONNX export of every architecture, run in onnxruntime-node', () => {
  const missing = onnxChecker();
  if (missing) console.log(`# onnx.checker part skipped: ${missing}`);

  for (const [name, shape] of CASES) {
    it(`${name} on ${shape.join('×')}: same logits (≤ 1e-4) and classes as TensorFlow.js, dynamic batch${missing ? '' : ', passes onnx.checker (full)'}`, async () => {
      const model = modelForExport(name, shape);
      const dir = await tempDir('onnx-');
      await saveModelFolder(model, join(dir, 'model'), { architecture: name, inputShape: shape, classNames: Array.from({ length: 10 }, (_, i) => String(i)), output: 'logits', preprocessing: 'pixels / 255', dataset: 'test' });
      await exportModel({ modelDir: join(dir, 'model'), format: 'onnx', destination: join(dir, 'onnx'), role: 'student', run: null, version: 'test', measure: false });
      const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
      for (const batch of [1, 5]) {
        const x = tf.randomUniform([batch, ...shape], 0, 1, 'float32', batch);
        const expected = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
        const out = await session.run({ input: new ort.Tensor('float32', (await x.data()) as Float32Array, [batch, ...shape]) });
        const got = out.logits!.data as Float32Array;
        assert.equal(got.length, expected.length);
        const diff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
        assert.ok(diff <= 1e-4, `${name} batch ${batch}: max |Δlogit| ${diff}`);
        for (let r = 0; r < batch; r++) {
          const argmax = (a: Float32Array) => Array.from(a.subarray(r * 10, r * 10 + 10)).reduce((b, v, i, row) => (v > row[b]! ? i : b), 0);
          assert.equal(argmax(got), argmax(expected));
        }
        x.dispose();
      }
      await session.release();
      model.dispose();
      if (!missing) {
        const check = `import onnx; m = onnx.load(${JSON.stringify(join(dir, 'onnx', 'model.onnx'))}); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version, m.graph.input[0].type.tensor_type.shape.dim[0].dim_param)`;
        assert.equal(execFileSync(PYTHON, ['-c', check], { encoding: 'utf8' }).trim(), '13 batch');
      }
      assert.ok(existsSync(join(dir, 'onnx', 'model-card.json')));
    });
  }
});

describe('ONNX export with the preprocessing baked in (onnx-raw)', () => {
  it("takes an image's uint8 bytes and gives the logits TensorFlow.js gives on the normalised image", async () => {
    const shape: [number, number, number] = [32, 32, 3];
    const normalization = { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] };
    const model = buildModel('lenet5', { inputShape: shape, classes: 10, seed: 3, dropout: 0 });
    const dir = await tempDir('onnx-raw-');
    await saveModelFolder(model, join(dir, 'model'), { architecture: 'lenet5', inputShape: shape, classNames: Array.from({ length: 10 }, (_, i) => `c${i}`), output: 'logits', preprocessing: '(pixels / 255 − mean) / std per channel (see normalization), shape [batch, height, width, channels]', normalization, dataset: 'test' });
    await exportModel({ modelDir: join(dir, 'model'), format: 'onnx-raw', destination: join(dir, 'raw'), role: 'student', run: null, version: 'test', measure: false });
    const session = await ort.InferenceSession.create(join(dir, 'raw', 'model.onnx'));
    assert.equal(session.inputMetadata[0]!.isTensor && session.inputMetadata[0]!.type, 'uint8');
    const bytes = Uint8Array.from({ length: 4 * 32 * 32 * 3 }, (_, i) => (i * 37 + 11) % 256);
    const normalised = tf.tidy(() => tf.div(tf.sub(tf.div(tf.tensor4d(bytes, [4, ...shape], 'float32'), 255), normalization.mean), normalization.std));
    const expected = (await (model.predict(normalised) as tf.Tensor).data()) as Float32Array;
    const got = (await session.run({ input: new ort.Tensor('uint8', bytes, [4, ...shape]) })).logits!.data as Float32Array;
    const diff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
    assert.ok(diff <= 1e-4, `max |Δlogit| ${diff}`);
    await session.release();
    const card = JSON.parse(await readFile(join(dir, 'raw', 'model-card.json'), 'utf8'));
    assert.equal(card.preprocessing.inputType, 'uint8');
    assert.match(await readFile(join(dir, 'raw', 'model-card.md'), 'utf8'), /Input: `\[batch, 32, 32, 3\]` \(NHWC, uint8\)\.\n- Preprocessing: none: the image's bytes go in as they are/);
    if (!onnxChecker()) {
      const check = `import onnx; m = onnx.load(${JSON.stringify(join(dir, 'raw', 'model.onnx'))}); onnx.checker.check_model(m, full_check=True); print(m.graph.input[0].type.tensor_type.elem_type)`;
      assert.equal(execFileSync(PYTHON, ['-c', check], { encoding: 'utf8' }).trim(), '2');
    }
    model.dispose();
    normalised.dispose();
  });
});
