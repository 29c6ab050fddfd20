import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { selectBackend } from '../../electron/engine/backend/select';
import { onnxNodes } from '../../electron/engine/export/onnx/encode';
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

describe('int8 ONNX export (onnx-int8), run in onnxruntime-node on its integer kernels', () => {
  const missing = onnxChecker();
  for (const [name, shape] of CASES) {
    it(`${name} on ${shape.join('×')}: logits close to TensorFlow.js's and the same classes, every convolution and dense layer on an integer kernel, smaller${missing ? '' : ', passes onnx.checker (full)'}`, async () => {
      const model = modelForExport(name, shape);
      const dir = await tempDir('onnx-int8-');
      await saveModelFolder(model, join(dir, 'model'), { architecture: name, inputShape: shape, classNames: Array.from({ length: 10 }, (_, i) => String(i)), output: 'logits', preprocessing: 'pixels / 255', dataset: 'test' });
      // Calibrated on other images than it is checked on, as an export from a run is on its training images.
      const calibration = tf.randomUniform([64, ...shape], 0, 1, 'float32', 13) as tf.Tensor4D;
      for (const format of ['onnx', 'onnx-int8'] as const) await exportModel({ modelDir: join(dir, 'model'), format, destination: join(dir, format), role: 'student', run: null, version: 'test', measure: false, calibrationImages: calibration });
      calibration.dispose();
      const x = tf.randomUniform([5, ...shape], 0, 1, 'float32', 11);
      const expected = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
      const optimized = join(dir, 'optimized.onnx');
      const session = await ort.InferenceSession.create(join(dir, 'onnx-int8', 'model.onnx'), { optimizedModelFilePath: optimized, logSeverityLevel: 3 });
      const got = (await session.run({ input: new ort.Tensor('float32', (await x.data()) as Float32Array, [5, ...shape]) })).logits!.data as Float32Array;
      await session.release();
      const tolerance = 4e-2 * Math.max(1, ...Array.from(expected, Math.abs));
      const diff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
      assert.ok(diff <= tolerance, `${name}: max |Δlogit| ${diff} > ${tolerance}`);
      const argmax = (a: Float32Array, r: number) => Array.from(a.subarray(r * 10, r * 10 + 10)).reduce((b, v, i, row) => (v > row[b]! ? i : b), 0);
      for (let r = 0; r < 5; r++) assert.equal(argmax(got, r), argmax(expected, r), `${name} image ${r}: class`);
      // onnxruntime fused every DequantizeLinear → op → QuantizeLinear: no float convolution, dense layer or batch norm (folded) is left.
      const ops = onnxNodes(new Uint8Array(await readFile(optimized))).map((node) => node.op);
      assert.ok(!ops.some((op) => ['Conv', 'Gemm', 'MatMul', 'FusedConv', 'FusedGemm', 'BatchNormalization'].includes(op)), `${name}: float ops left: ${ops.join(' ')}`);
      assert.ok(ops.includes('QGemm'), `${name}: ${ops.join(' ')}`);
      if (name !== 'mlp-30x2') assert.ok(ops.includes('QLinearConv'), `${name}: ${ops.join(' ')}`);
      assert.deepEqual(ops.filter((op) => op === 'QuantizeLinear' || op === 'DequantizeLinear'), ['QuantizeLinear', 'DequantizeLinear'], 'float only at the two ends');
      const [float, int8] = await Promise.all(['onnx', 'onnx-int8'].map(async (format) => (await stat(join(dir, format, 'model.onnx'))).size));
      assert.ok(int8! < 0.7 * float!, `${name}: int8 ${int8} of ${float} bytes`);
      x.dispose();
      model.dispose();
      if (!missing) {
        const check = `import onnx; m = onnx.load(${JSON.stringify(join(dir, 'onnx-int8', 'model.onnx'))}); onnx.checker.check_model(m, full_check=True); print(m.graph.input[0].type.tensor_type.elem_type)`;
        assert.equal(execFileSync(PYTHON, ['-c', check], { encoding: 'utf8' }).trim(), '1');
      }
    });
  }

  it("quantizes the input over the whole range of normalised pixels, not only the calibration images'", { skip: onnxChecker() ?? false }, async () => {
    const shape: [number, number, number] = [16, 16, 3];
    const normalization = { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] };
    const model = buildModel('lenet5', { inputShape: shape, classes: 10, seed: 5, dropout: 0 });
    const dir = await tempDir('onnx-int8-norm-');
    await saveModelFolder(model, join(dir, 'model'), { architecture: 'lenet5', inputShape: shape, classNames: Array.from({ length: 10 }, (_, i) => `c${i}`), output: 'logits', preprocessing: '(pixels / 255 − mean) / std per channel', normalization, dataset: 'test' });
    model.dispose();
    // Dim calibration images (pixels 0.3–0.7): a black or a white pixel must still not be clipped.
    const calibration = tf.randomUniform([16, ...shape], 0.3, 0.7, 'float32', 13) as tf.Tensor4D;
    await exportModel({ modelDir: join(dir, 'model'), format: 'onnx-int8', destination: join(dir, 'int8'), role: 'student', run: null, version: 'test', measure: false, calibrationImages: calibration });
    calibration.dispose();
    const read = `import onnx, json; from onnx import numpy_helper as h; m = onnx.load(${JSON.stringify(join(dir, 'int8', 'model.onnx'))}); q = m.graph.node[0]; i = {t.name: h.to_array(t) for t in m.graph.initializer}; print(json.dumps([q.op_type, q.input[0], float(i[q.input[1]]), int(i[q.input[2]])]))`;
    const [op, input, scale, zeroPoint] = JSON.parse(execFileSync(PYTHON, ['-c', read], { encoding: 'utf8' })) as [string, string, number, number];
    // (0 − 0.48) / 0.24 = −2 is the lowest a channel reaches, (1 − 0.48) / 0.24 the highest.
    const [lo, hi] = [-2, 0.52 / 0.24];
    assert.deepEqual([op, input], ['QuantizeLinear', 'input']);
    assert.ok(Math.abs(scale - (hi - lo) / 255) < 1e-6, `scale ${scale}`);
    assert.equal(zeroPoint, Math.round(-lo / ((hi - lo) / 255)));
  });

  it("refuses a model whose training images are not at hand, saying what to do, and leaves nothing", async () => {
    const shape: [number, number, number] = [28, 28, 1];
    const model = buildModel('mlp-30x2', { inputShape: shape, classes: 10, seed: 3, dropout: 0 });
    const dir = await tempDir('onnx-int8-none-');
    await saveModelFolder(model, join(dir, 'model'), { architecture: 'mlp-30x2', inputShape: shape, classNames: Array.from({ length: 10 }, (_, i) => String(i)), output: 'logits', preprocessing: 'pixels / 255', dataset: join(dir, 'gone') });
    model.dispose();
    await assert.rejects(exportModel({ modelDir: join(dir, 'model'), format: 'onnx-int8', destination: join(dir, 'int8'), role: 'student', run: null, version: 'test', measure: false }), /int8 ONNX export calibrates on the model's training images, and its dataset is not at hand: export it from its run, or choose onnx \(float32\)/);
    assert.equal(existsSync(join(dir, 'int8')), false);
  });
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
